/**
 * When a failed delivery is tried again. The n-th failure waits base * 4^(n-1), capped just
 * under SQS's longest visibility (MAX_RETRY_DELAY_SECONDS): with the defaults (30 s, 8
 * attempts) the waits are 30 s, 2 min, 8 min, 32 min, 2.1 h, 8.5 h and 11.9 h, so the last
 * attempt comes about 23.3 hours after the first.
 */

export interface RetrySettings {
  /** Attempts in all, the first included; after the last the message goes to the dead-letter queue. */
  readonly maxAttempts: number;
  /** The wait after the first failure. */
  readonly retryBaseSeconds: number;
}

export const WEBHOOK_RETRY_DEFAULTS: RetrySettings = { maxAttempts: 8, retryBaseSeconds: 30 };

/** SQS's ceiling on a message's visibility, counted from its receive, not from the change. */
export const SQS_MAX_VISIBILITY_SECONDS = 12 * 3600;

/**
 * The longest wait: the wait is set by ChangeMessageVisibility while the attempt's receive is
 * already some seconds old, and SQS rejects a change that would keep the message hidden past
 * 12 hours from that receive. The margin covers the time a receive can be old when the wait is
 * set (the delivery Lambda's run, within the queue's visibility timeout).
 */
export const RETRY_DELAY_MARGIN_SECONDS = 5 * 60;
export const MAX_RETRY_DELAY_SECONDS = SQS_MAX_VISIBILITY_SECONDS - RETRY_DELAY_MARGIN_SECONDS;

export function retryDelaySeconds(failedAttempt: number, settings: RetrySettings): number {
  const wait = settings.retryBaseSeconds * 4 ** Math.max(0, failedAttempt - 1);
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.round(wait));
}

/** The waits between attempts, in order (the schedule docs/webhooks.md prints). */
export function retrySchedule(settings: RetrySettings): number[] {
  return Array.from({ length: settings.maxAttempts - 1 }, (_, i) =>
    retryDelaySeconds(i + 1, settings),
  );
}
