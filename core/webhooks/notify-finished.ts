import { isFinished } from '../jobs/job.ts';
import { type Clock, type JobRepository, systemClock } from '../jobs/ports.ts';
import type { WebhookQueue, WebhookStore } from './ports.ts';
import { fileFinishedMessage, jobFinishedMessage } from './webhook-message.ts';
import { wantsEvent } from './webhook-model.ts';

export interface NotifyFinishedDeps {
  readonly repo: JobRepository;
  readonly webhooks: WebhookStore;
  readonly queue: WebhookQueue;
  readonly clock?: Clock;
}

export interface NotifyFinishedOutcome {
  /** A file.finished event was sent for the file. */
  readonly fileEvent: boolean;
  /** This call claimed the job's job.finished event and sent it. */
  readonly jobEvent: boolean;
}

const NOTHING: NotifyFinishedOutcome = { fileEvent: false, jobEvent: false };

/**
 * Called by whoever just moved a file to done or failed (the worker, the dead-letter handler,
 * the reconciler). Reads the job again, consistently, after that write:
 *
 * 1. the receiver wants per-file events: one for this file;
 * 2. every file has ended and the job's event is unclaimed: claim it (a conditional write on
 *    the job item, so of two workers ending the last two files at once exactly one wins; the
 *    later of the two writes is always followed by a read that sees both) and send it.
 *
 * A crash between the file's write and the send loses nothing: the job stays in the webhook
 * index, and the reconciler claims (or re-sends) its event (reconcile-webhooks.ts).
 */
export async function notifyFileFinished(
  jobId: string,
  fileId: string | undefined,
  deps: NotifyFinishedDeps,
): Promise<NotifyFinishedOutcome> {
  const found = await deps.repo.getJob(jobId);
  const config = found?.job.webhook;
  if (!found || !config) return NOTHING;
  let fileEvent = false;
  const file = fileId === undefined ? undefined : found.files.find((f) => f.fileId === fileId);
  if (file && isFinished(file.status) && wantsEvent(config, 'file.finished')) {
    await deps.queue.send(fileFinishedMessage(jobId, file.fileId));
    fileEvent = true;
  }
  const jobEvent = await claimJobEvent(found, deps);
  return { fileEvent, jobEvent };
}

/** Claims and sends the job.finished event when every file has ended and nobody has yet. */
export async function claimJobEvent(
  found: NonNullable<Awaited<ReturnType<JobRepository['getJob']>>>,
  deps: NotifyFinishedDeps,
): Promise<boolean> {
  const { job, files } = found;
  if (!wantsEvent(job.webhook, 'job.finished') || job.webhookState) return false;
  if (files.length === 0 || !files.every((f) => isFinished(f.status))) return false;
  const now = (deps.clock ?? systemClock).now();
  if (!(await deps.webhooks.claim(job.jobId, now))) return false;
  await deps.queue.send(jobFinishedMessage(job.jobId));
  return true;
}
