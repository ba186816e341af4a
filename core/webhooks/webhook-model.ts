import { z } from 'zod';

/**
 * A job's webhook: what the request asked for (WebhookConfig, fixed at creation) and how its
 * job-finished event is getting on (WebhookState, on the job item, written by conditional
 * updates). Per-file events carry no state: the job event, sent once every file has ended,
 * holds every file's outcome.
 */

export const WEBHOOK_EVENT_TYPES = ['job.finished', 'file.finished'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookConfig {
  /** The receiver's absolute http(s) URL. */
  readonly url: string;
  /** Which events the receiver gets; never empty. */
  readonly events: readonly WebhookEventType[];
}

/**
 * `queued`: the finished job's event was claimed for delivery (exactly one claim per job);
 * `retrying`: an attempt failed and the next is scheduled; `delivered` and `failed` are final.
 */
export const WEBHOOK_STATES = ['queued', 'retrying', 'delivered', 'failed'] as const;
export type WebhookStateName = (typeof WEBHOOK_STATES)[number];

export const webhookStateSchema = z.object({
  state: z.enum(WEBHOOK_STATES),
  /** Epoch ms of the claim. */
  claimedAt: z.number(),
  /** Epoch ms of the last change; the reconciler sends the event again when it goes stale. */
  updatedAt: z.number(),
  attempts: z.number().int().min(0),
  /** Epoch ms the next attempt is due (retrying). */
  nextAttemptAt: z.number().optional(),
  lastStatus: z.number().int().optional(),
  lastError: z.string().optional(),
  deliveredAt: z.number().optional(),
});
export type WebhookState = z.output<typeof webhookStateSchema>;

export const webhookConfigSchema = z.object({
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1),
});

export function wantsEvent(config: WebhookConfig | undefined, type: WebhookEventType): boolean {
  return config?.events.includes(type) ?? false;
}

export function isFinalState(state: WebhookState | undefined): boolean {
  return state?.state === 'delivered' || state?.state === 'failed';
}
