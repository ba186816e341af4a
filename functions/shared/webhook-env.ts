import { z } from 'zod';
import { WEBHOOK_DEFAULTS, WEBHOOK_ENV } from '../../core/webhooks/webhook-settings.ts';

/** The webhook pieces of the functions' environment schemas (core/webhooks/webhook-settings.ts). */

// As queuesShape: emulators hand out queue URLs zod's z.url() refuses.
const queueUrl = z.string().regex(/^https?:\/\/[^\s/]+/, 'must be an http(s) URL');

/** Where functions that end files (dead letters, the reconciler) send finished jobs' events. */
export const webhookQueueShape = {
  [WEBHOOK_ENV.queueUrl]: queueUrl
    .optional()
    .describe('SQS queue of webhook events; unset: no webhooks are sent.'),
} as const;

export const webhookStaleShape = {
  [WEBHOOK_ENV.staleSeconds]: z.coerce
    .number()
    .int()
    .positive()
    .default(WEBHOOK_DEFAULTS.staleSeconds)
    .describe(
      'Seconds a claimed webhook event may go without news before the reconciler sends it again.',
    ),
  [WEBHOOK_ENV.graceSeconds]: z.coerce
    .number()
    .int()
    .positive()
    .default(WEBHOOK_DEFAULTS.graceSeconds)
    .describe(
      "Seconds after a job's last look before the reconciler claims its unsent webhook event.",
    ),
} as const;

const bounded = (min: number, max: number, fallback: number, meaning: string) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(meaning);

/** The delivery function's own settings. */
export const webhookDeliveryShape = {
  [WEBHOOK_ENV.maxAttempts]: bounded(
    1,
    50,
    WEBHOOK_DEFAULTS.maxAttempts,
    "Delivery attempts of one webhook event in all; equal to the webhooks queue's maxReceiveCount.",
  ),
  [WEBHOOK_ENV.retryBaseSeconds]: bounded(
    1,
    3600,
    WEBHOOK_DEFAULTS.retryBaseSeconds,
    'Seconds before the second attempt; each later wait is 4 times the one before (at most 12 hours).',
  ),
  [WEBHOOK_ENV.timeoutSeconds]: bounded(
    1,
    25,
    WEBHOOK_DEFAULTS.timeoutSeconds,
    'Seconds one webhook attempt may take (connect, send, the answer).',
  ),
} as const;
