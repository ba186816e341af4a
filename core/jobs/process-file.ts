import { randomUUID } from 'node:crypto';
import { claimFile, findFileToClaim, type HeldClaim, heldElsewhere } from './claim-file.ts';
import { keepLease, progressReporter } from './file-lease.ts';
import { handedBack, untilAborted, watchFileStop } from './file-stop.ts';
import { recordDone, recordStopOrFailure } from './file-verdict.ts';
import type { JobMessage } from './job-message.ts';
import { type Clock, type JobRepository, type Scratch, systemClock } from './ports.ts';
import type { ProcessFileOutcome } from './process-file-outcome.ts';
import { type RunProcessorDeps, runProcessor } from './run-processor.ts';

export type { ProcessFileOutcome } from './process-file-outcome.ts';

export interface ProcessFileDeps extends RunProcessorDeps {
  readonly repo: JobRepository;
  /** Needed for video (files on local disk). */
  readonly scratch?: Scratch;
  readonly clock?: Clock;
  /**
   * How long a claim owns the file without news; a timer renews it every third of this while
   * the file is processed. Keep it below the queue's visibility timeout so a redelivery after a
   * crash finds the lease over.
   */
  readonly leaseMs?: number;
  /** Least time between two progress writes. */
  readonly progressIntervalMs?: number;
  /** Ceiling on one image, from the claim to the output written. */
  readonly imageDeadlineMs?: number;
  /** Ceiling on one video; the video processor tightens it from the probed duration. */
  readonly videoDeadlineMs?: number;
  /**
   * How long an aborted processor (deadline, lost lease) gets to stop its child processes
   * before the verdict is written anyway; its scratch folder goes once it has stopped.
   */
  readonly abortGraceMs?: number;
  /** Largest image input or background the worker reads into memory (default 100 MiB). */
  readonly maxImageBytes?: number;
  readonly newToken?: () => string;
}

export interface ProcessFileOptions {
  /**
   * Aborted when the worker gives the file up (its drain deadline passed at shutdown): the
   * lease is released at once, the processing aborted, and the call rejects so the message is
   * handed back and the next worker claims the file without waiting for the lease.
   */
  readonly signal?: AbortSignal;
  /** How many times the queue has delivered this message, this delivery included (default 1). */
  readonly receiveCount?: number;
}

const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_IMAGE_DEADLINE_MS = 15 * 60_000;
export const DEFAULT_VIDEO_DEADLINE_MS = 6 * 3_600_000;
const DEFAULT_ABORT_GRACE_MS = 10_000;

/**
 * Processes one file of one message. Resolving means "acknowledge the message" (`held`: hide
 * it for `retryInSeconds`); rejecting means "leave it for redelivery" (after maxReceiveCount it
 * lands in the dead-letter queue).
 *
 * 1. Load the job and file; unknown or already finished -> skipped (findFileToClaim).
 * 2. Claim it (queued, or running under an expired lease -> running, attempts + 1). A file
 *    another worker holds under a live lease -> skipped on a first delivery, held (look again
 *    after the lease) on a redelivery; `claimFile` says why.
 * 3. Download the input (and background), run the processor for the job's kind under the
 *    kind's deadline (watchFileStop) with the lease renewed on a timer (keepLease), upload the
 *    output under the file's fixed key (runProcessor), mark done (recordDone).
 * 4. A non-retryable CutoutError (the deadline's DEADLINE_EXCEEDED included) fails the file
 *    with its message (resolve); anything else releases the claim with the reason kept for the
 *    dead-letter path, and rejects. A lost lease -> skipped: the new owner decides
 *    (recordStopOrFailure).
 */
export async function processFile(
  message: JobMessage,
  deps: ProcessFileDeps,
  options: ProcessFileOptions = {},
): Promise<ProcessFileOutcome> {
  const clock: Clock = deps.clock ?? systemClock;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const found = await findFileToClaim(deps.repo, message);
  if (found.skipped) return found.skipped;
  const { job, file } = found;
  if (options.signal?.aborted) throw handedBack(file.inputName);

  const token = (deps.newToken ?? randomUUID)();
  const claim = await claimFile(file, token, deps.repo, clock, leaseMs);
  if (claim.heldUntil !== undefined) {
    return heldElsewhere(claim.heldUntil, clock.now(), options.receiveCount ?? 1);
  }
  if (!claim.claimed) return { outcome: 'skipped', reason: claim.reason };
  const held: HeldClaim = { repo: deps.repo, clock, job, file: claim.claimed, token, leaseMs };

  const kind = job.options.kind;
  const deadlineMs =
    kind === 'image'
      ? (deps.imageDeadlineMs ?? DEFAULT_IMAGE_DEADLINE_MS)
      : (deps.videoDeadlineMs ?? DEFAULT_VIDEO_DEADLINE_MS);
  const stop = watchFileStop(held.file.inputName, kind, deadlineMs, options.signal);
  const lease = keepLease(held, stop.leaseLost);
  const progress = progressReporter(held, stop.signal, deps.progressIntervalMs);
  const work = runProcessor(job, held.file, deps, stop.signal, progress);
  // Once aborted, the verdict no longer waits for `work`; its late rejection is expected.
  work.catch(() => undefined);

  try {
    const output = await untilAborted(work, stop.signal);
    await lease.stop();
    return await recordDone(held, output);
  } catch (thrown) {
    await Promise.all([lease.stop(), progress.settled()]);
    const graceMs = deps.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS;
    return await recordStopOrFailure(held, thrown, stop, work, graceMs);
  } finally {
    stop.dispose();
  }
}
