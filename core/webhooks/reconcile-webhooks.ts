import { toCutoutError } from '../errors.ts';
import { type Clock, type JobRepository, systemClock } from '../jobs/ports.ts';
import { claimJobEvent } from './notify-finished.ts';
import type { WebhookQueue, WebhookStore } from './ports.ts';
import { jobFinishedMessage } from './webhook-message.ts';
import { isFinalState, wantsEvent } from './webhook-model.ts';
import { WEBHOOK_DEFAULTS } from './webhook-settings.ts';

/**
 * The reconciler's webhook pass: the safety net behind "a finished job's event is never lost".
 * Every job with a job.finished webhook sits in the webhook index until its event is settled;
 * each run looks at those due, and
 * - claims and sends the event of a job that has finished unclaimed (the worker that ended the
 *   last file died before its claim or send);
 * - sends again a claimed event nothing has happened to for `staleMs` (lost between the claim
 *   and the send, or its message lost);
 * - drops settled, expired and vanished jobs from the index; others wait for the next look.
 * A duplicate send is harmless to the job and carries the same event id.
 */

export interface ReconcileWebhooksSettings {
  readonly graceMs: number;
  readonly staleMs: number;
  readonly maxJobs: number;
}

export interface ReconcileWebhooksDeps {
  readonly repo: JobRepository;
  readonly webhooks: WebhookStore;
  readonly queue: WebhookQueue;
  readonly clock?: Clock;
  readonly settings?: Partial<ReconcileWebhooksSettings>;
}

export interface ReconcileWebhooksReport {
  /** Jobs whose event this run claimed and sent. */
  readonly claimed: readonly string[];
  /** Jobs whose stale claimed event this run sent again. */
  readonly resent: readonly string[];
  /** One line per job that could not be handled (tried again next run). */
  readonly problems: readonly string[];
}

export async function reconcileWebhooks(
  deps: ReconcileWebhooksDeps,
): Promise<ReconcileWebhooksReport> {
  const settings: ReconcileWebhooksSettings = {
    graceMs: WEBHOOK_DEFAULTS.graceSeconds * 1000,
    staleMs: WEBHOOK_DEFAULTS.staleSeconds * 1000,
    maxJobs: 500,
    ...deps.settings,
  };
  const clock = deps.clock ?? systemClock;
  const now = clock.now();
  const report = { claimed: [] as string[], resent: [] as string[], problems: [] as string[] };
  for (const jobId of await deps.webhooks.listDue(now - settings.graceMs, settings.maxJobs)) {
    try {
      const action = await reconcileJob(jobId, now, settings, deps);
      if (action) report[action].push(jobId);
    } catch (error) {
      report.problems.push(`${jobId}: ${toCutoutError(error).message}`);
    }
  }
  return report;
}

async function reconcileJob(
  jobId: string,
  now: number,
  settings: ReconcileWebhooksSettings,
  deps: ReconcileWebhooksDeps,
): Promise<'claimed' | 'resent' | undefined> {
  const found = await deps.repo.getJob(jobId);
  const job = found?.job;
  if (
    !found ||
    !job ||
    job.expiresAt * 1000 <= now ||
    !wantsEvent(job.webhook, 'job.finished') ||
    isFinalState(job.webhookState)
  ) {
    await deps.webhooks.settle(jobId);
    return undefined;
  }
  const state = job.webhookState;
  if (!state) {
    if (await claimJobEvent(found, deps)) return 'claimed';
    await deps.webhooks.postpone(jobId, now);
    return undefined;
  }
  const quietSince = Math.max(state.nextAttemptAt ?? 0, state.updatedAt);
  if (now - quietSince < settings.staleMs) {
    await deps.webhooks.postpone(jobId, now);
    return undefined;
  }
  await deps.queue.send(jobFinishedMessage(jobId));
  await deps.webhooks.postpone(jobId, now, now);
  return 'resent';
}
