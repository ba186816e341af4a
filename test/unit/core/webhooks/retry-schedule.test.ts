import { describe, expect, it } from 'vitest';
import { QUEUE_SETTINGS } from '../../../../core/config/resources.ts';
import {
  retryDelaySeconds,
  retrySchedule,
  SQS_MAX_VISIBILITY_SECONDS,
  WEBHOOK_RETRY_DEFAULTS,
} from '../../../../core/webhooks/retry-schedule.ts';

describe('webhook retry schedule', () => {
  it('grows 4-fold from the base wait', () => {
    expect(retrySchedule(WEBHOOK_RETRY_DEFAULTS).slice(0, 6)).toEqual([
      30, 120, 480, 1920, 7680, 30720,
    ]);
  });

  // SQS refuses a ChangeMessageVisibility that hides a message past 12 hours from its receive,
  // and the wait is set while the attempt's receive is up to a visibility timeout old: a wait of
  // a full 12 hours would be rejected, and the attempt would come back a minute later instead.
  it('never asks SQS for more than it grants a receive that is a visibility timeout old', () => {
    const received = QUEUE_SETTINGS.webhook.visibilityTimeoutSeconds;
    const longest = Math.max(
      ...retrySchedule(WEBHOOK_RETRY_DEFAULTS),
      retryDelaySeconds(50, { maxAttempts: 50, retryBaseSeconds: 3600 }),
    );
    expect(longest + received).toBeLessThanOrEqual(SQS_MAX_VISIBILITY_SECONDS);
    // The cap is reached, so it matters: the default schedule's last wait is the capped one.
    expect(retrySchedule(WEBHOOK_RETRY_DEFAULTS).at(-1)).toBe(longest);
  });
});
