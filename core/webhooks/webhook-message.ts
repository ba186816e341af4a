import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CutoutError } from '../errors.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-model.ts';

/**
 * The webhooks queue's message: which event of which job (and file), ids only. The event's
 * id is derived from them, so every retry and every re-send by the reconciler carries the same
 * id and a receiver can drop the duplicates at-least-once delivery brings.
 */
export const webhookMessageSchema = z.object({
  v: z.literal(1),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  jobId: z.uuid(),
  fileId: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
});

export type WebhookMessage = z.infer<typeof webhookMessageSchema>;

export function jobFinishedMessage(jobId: string): WebhookMessage {
  return { v: 1, type: 'job.finished', jobId };
}

export function fileFinishedMessage(jobId: string, fileId: string): WebhookMessage {
  return { v: 1, type: 'file.finished', jobId, fileId };
}

/** `evt_` and 32 hex digits, the same for every delivery of one event. */
export function webhookEventId(
  type: WebhookEventType,
  jobId: string,
  fileId: string | undefined,
): string {
  const digest = createHash('sha256')
    .update(`${type}\n${jobId}\n${fileId ?? ''}`)
    .digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}

/** @throws CutoutError INVALID_REQUEST when the body is not a WebhookMessage (never redeliver it) */
export function parseWebhookMessage(body: string): WebhookMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new CutoutError('INVALID_REQUEST', 'webhook message is not JSON', { cause });
  }
  const result = webhookMessageSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CutoutError(
      'INVALID_REQUEST',
      `webhook message ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}
