import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, type WebhookConfig, type WebhookState } from './webhook-model.ts';

/**
 * The `webhook` entry of `/v1/results`: how the job.finished event is getting on. Only the
 * receiver's host is shown, as a URL's path or query may hold the receiver's own token.
 */

export const WEBHOOK_RESULT_STATES = ['pending', 'retrying', 'delivered', 'failed'] as const;

export const webhookResultSchema = z
  .strictObject({
    host: z.string().meta({ description: "The receiver's host (the URL is not echoed)" }),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    state: z.enum(WEBHOOK_RESULT_STATES).meta({
      description:
        'pending until the job has finished and its event is first tried; retrying after a failed attempt; delivered (a 2xx answer) and failed (retries exhausted, or the address refused) are final',
    }),
    attempts: z.number().int().min(0),
    last_status: z
      .number()
      .int()
      .optional()
      .meta({ description: "The receiver's last HTTP status" }),
    last_error: z.string().optional().meta({ description: 'Why the last attempt failed' }),
    next_attempt_at: z.string().optional().meta({ description: 'ISO time of the next attempt' }),
    delivered_at: z.string().optional(),
  })
  .meta({ description: 'The job.finished webhook, when the job has one (docs/webhooks.md)' });

export type WebhookResult = z.output<typeof webhookResultSchema>;

const iso = (ms: number) => new Date(ms).toISOString();

export function webhookResult(
  config: WebhookConfig,
  state: WebhookState | undefined,
): WebhookResult {
  const shown = !state || state.state === 'queued' ? 'pending' : state.state;
  return {
    host: URL.canParse(config.url) ? new URL(config.url).host : '',
    events: [...config.events],
    state: shown,
    attempts: state?.attempts ?? 0,
    ...(state?.lastStatus === undefined ? {} : { last_status: state.lastStatus }),
    ...(state?.lastError === undefined ? {} : { last_error: state.lastError }),
    ...(state?.state === 'retrying' && state.nextAttemptAt !== undefined
      ? { next_attempt_at: iso(state.nextAttemptAt) }
      : {}),
    ...(state?.deliveredAt === undefined ? {} : { delivered_at: iso(state.deliveredAt) }),
  };
}
