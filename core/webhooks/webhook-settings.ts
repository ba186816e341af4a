import { WEBHOOK_RETRY_DEFAULTS } from './retry-schedule.ts';

/** Environment names and defaults of webhook delivery, shared by the CDK app, the Lambdas and the local stack. */

export const WEBHOOK_ENV = {
  /** The webhooks queue; the worker, the dead-letter handler and the reconciler send to it. */
  queueUrl: 'WEBHOOK_QUEUE_URL',
  /** Attempts in all; the queue's maxReceiveCount is the same number. */
  maxAttempts: 'WEBHOOK_MAX_ATTEMPTS',
  retryBaseSeconds: 'WEBHOOK_RETRY_BASE_SECONDS',
  /** One attempt's whole time: connect, send, the receiver's answer. */
  timeoutSeconds: 'WEBHOOK_TIMEOUT_SECONDS',
  /** The reconciler sends a claimed event again when nothing happened to it for this long. */
  staleSeconds: 'RECONCILE_WEBHOOK_STALE_SECONDS',
  /** A finished job's unclaimed event is left to the worker that ended its last file this long. */
  graceSeconds: 'RECONCILE_WEBHOOK_GRACE_SECONDS',
} as const;

export const WEBHOOK_DEFAULTS = {
  maxAttempts: WEBHOOK_RETRY_DEFAULTS.maxAttempts,
  retryBaseSeconds: WEBHOOK_RETRY_DEFAULTS.retryBaseSeconds,
  timeoutSeconds: 10,
  /** Past any visibility a delivery in progress holds (the Lambda's 30 s), with room for a backlog. */
  staleSeconds: 900,
  /** A finished job's event is left to the worker that ended its last file for this long. */
  graceSeconds: 60,
  /** The queue's visibility timeout: 6 times the delivery Lambda's (QUEUE_SETTINGS.webhook). */
  visibilityTimeoutSeconds: 180,
} as const;

/**
 * Partition-key prefix of the webhook signing secrets in the keys table: the adapter writes them
 * under it, and the delivery Lambda's IAM policy is limited to it.
 */
export const WEBHOOK_SECRET_PREFIX = 'webhook-secret#';
