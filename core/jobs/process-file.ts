import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CutoutError, describeForFile, problemAfterFile, toCutoutError } from '../errors.ts';
import { type FileRecord, isClaimable, isFinished, type JobKind, type JobRecord } from './job.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from './job-limits.ts';
import type { JobMessage } from './job-message.ts';
import {
  type Clock,
  type JobRepository,
  type ObjectStore,
  type ProcessedOutput,
  type Processors,
  type Scratch,
  systemClock,
} from './ports.ts';
import {
  claimUpdate,
  completeUpdate,
  failUpdate,
  progressUpdate,
  releaseUpdate,
  renewLeaseUpdate,
} from './transitions.ts';

export interface ProcessFileDeps {
  readonly repo: JobRepository;
  readonly inputs: ObjectStore;
  readonly outputs: ObjectStore;
  readonly processors: Processors;
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

/**
 * `createdAt` is the file record's creation time (for end-to-end latency); a failed file's
 * `modelId` is the model the job asked for, since none ran to completion.
 */
export type ProcessFileOutcome =
  | {
      readonly outcome: 'done';
      readonly outputKey: string;
      readonly modelId: string;
      readonly createdAt?: string;
    }
  | {
      readonly outcome: 'failed';
      readonly code: string;
      readonly error: string;
      readonly modelId?: string;
      readonly createdAt?: string;
    }
  | { readonly outcome: 'skipped'; readonly reason: string }
  /**
   * Another claim holds the file and this message may be the holder's own (it was delivered
   * before): leave it hidden until the lease can have ended, then look again (see claimFile).
   */
  | { readonly outcome: 'held'; readonly reason: string; readonly retryInSeconds: number };

const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_IMAGE_DEADLINE_MS = 15 * 60_000;
export const DEFAULT_VIDEO_DEADLINE_MS = 6 * 3_600_000;
const DEFAULT_ABORT_GRACE_MS = 10_000;
/** SQS refuses a visibility timeout over 12 hours. */
const MAX_HELD_RETRY_SECONDS = 43_000;

/** Why processFile stopped the processor before it finished. */
type StopReason = 'deadline' | 'lease-lost' | 'handed-back';

/**
 * Processes one file of one message. Resolving means "acknowledge the message" (`held`: hide
 * it for `retryInSeconds`); rejecting means "leave it for redelivery" (after maxReceiveCount it
 * lands in the dead-letter queue).
 *
 * 1. Load the job and file; unknown or already finished -> skipped.
 * 2. Claim it (queued, or running under an expired lease -> running, attempts + 1). A file
 *    another worker holds under a live lease -> skipped on a first delivery, held (look again
 *    after the lease) on a redelivery; `claimFile` says why.
 * 3. Download the input (and background), run the processor for the job's kind under the
 *    kind's deadline with the lease renewed on a timer, upload the output under the file's
 *    fixed key, mark done.
 * 4. A non-retryable CutoutError (the deadline's DEADLINE_EXCEEDED included) fails the file
 *    with its message (resolve); anything else releases the claim with the reason kept for the
 *    dead-letter path, and rejects. A lost lease -> skipped: the new owner decides.
 */
export async function processFile(
  message: JobMessage,
  deps: ProcessFileDeps,
  options: ProcessFileOptions = {},
): Promise<ProcessFileOutcome> {
  const clock = deps.clock ?? systemClock;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const found = await deps.repo.getJob(message.jobId);
  const file = found?.files.find((f) => f.fileId === message.fileId);
  if (!found || !file)
    return { outcome: 'skipped', reason: `no file ${message.jobId}/${message.fileId}` };
  if (isFinished(file.status))
    return { outcome: 'skipped', reason: `file is already ${file.status}` };
  if (file.status === 'waiting_upload') {
    return { outcome: 'skipped', reason: 'file has not been uploaded yet' };
  }
  if (options.signal?.aborted) throw handedBack(file.inputName);

  const token = (deps.newToken ?? randomUUID)();
  const claim = await claimFile(file, token, deps, clock, leaseMs);
  if (claim.heldUntil !== undefined) {
    const reason = `another worker holds the file until ${new Date(claim.heldUntil).toISOString()}`;
    // A first delivery is a copy (acknowledged); a redelivery may be the holder's own message.
    if ((options.receiveCount ?? 1) <= 1) return { outcome: 'skipped', reason };
    const leaseLeft = Math.ceil((claim.heldUntil - clock.now()) / 1000);
    return {
      outcome: 'held',
      reason,
      retryInSeconds: Math.min(MAX_HELD_RETRY_SECONDS, Math.max(1, leaseLeft + 1)),
    };
  }
  if (!claim.claimed) return { outcome: 'skipped', reason: claim.reason };
  const claimed = claim.claimed;

  const kind = found.job.options.kind;
  const deadlineMs =
    kind === 'image'
      ? (deps.imageDeadlineMs ?? DEFAULT_IMAGE_DEADLINE_MS)
      : (deps.videoDeadlineMs ?? DEFAULT_VIDEO_DEADLINE_MS);
  const controller = new AbortController();
  let stopped: StopReason | undefined;
  const stop = (why: StopReason, reason: CutoutError) => {
    if (controller.signal.aborted) return;
    stopped = why;
    controller.abort(reason);
  };
  const deadline = setTimeout(
    () => stop('deadline', deadlineExceeded(claimed.inputName, kind, deadlineMs)),
    deadlineMs,
  );
  const onHandBack = () => stop('handed-back', handedBack(claimed.inputName));
  options.signal?.addEventListener('abort', onHandBack, { once: true });
  if (options.signal?.aborted) onHandBack(); // given up while the claim was being written
  const lease = keepLease(claimed, token, deps, clock, leaseMs, () =>
    stop(
      'lease-lost',
      new CutoutError('JOB_CONFLICT', 'another claim took the file over', {
        file: claimed.inputName,
      }),
    ),
  );
  const progress = progressReporter(claimed, token, deps, clock, leaseMs, controller.signal);
  const work = runProcessor(found.job, claimed, deps, controller.signal, progress);
  // Once aborted, the verdict no longer waits for `work`; its late rejection is expected.
  work.catch(() => undefined);

  try {
    const output = await untilAborted(work, controller.signal);
    await lease.stop();
    const done = await deps.repo.updateFile(completeUpdate(claimed, token, output, clock.now()));
    if (!done) return { outcome: 'skipped', reason: 'lost the claim before finishing' };
    return {
      outcome: 'done',
      outputKey: claimed.outputKey,
      modelId: output.modelId,
      createdAt: claimed.createdAt,
    };
  } catch (thrown) {
    await Promise.all([lease.stop(), progress.settled()]);
    if (stopped === 'handed-back') {
      // Released before the processor has stopped: the process is about to go, and the next
      // worker should not wait for this one's child processes.
      await deps.repo
        .updateFile(
          // The record names the file itself; lastError says only what happened.
          releaseUpdate(claimed, token, 'handed back at shutdown', clock.now()),
        )
        .catch(() => undefined);
      throw controller.signal.reason;
    }
    if (stopped) await settledWithin(work, deps.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS);
    if (stopped === 'lease-lost') {
      return { outcome: 'skipped', reason: 'lost the claim while processing' };
    }
    const error = toCutoutError(stopped === 'deadline' ? controller.signal.reason : thrown);
    if (!error.retryable) {
      const reason = describeForFile(claimed.inputName, error);
      await deps.repo.updateFile(failUpdate(claimed, reason, clock.now(), token));
      return {
        outcome: 'failed',
        code: error.code,
        error: reason,
        modelId: found.job.options.model,
        createdAt: claimed.createdAt,
      };
    }
    // Unexpected errors keep their text in the worker's log only (it logs what is thrown).
    const lastError =
      error.code === 'INTERNAL' ? 'an internal error' : problemAfterFile(claimed.inputName, error);
    await deps.repo
      .updateFile(releaseUpdate(claimed, token, lastError, clock.now()))
      .catch(() => undefined);
    throw thrown;
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onHandBack);
  }
}

/**
 * Claims the file, or says why not. A file another claim holds under a live lease is a
 * duplicate delivery (the upload event racing the convert handler, a client's retried upload,
 * SQS itself); retrying it would count toward the dead-letter limit, and the dead-letter queue
 * would then have a file that is being worked on. So:
 * - a message on its first delivery is a copy, not the holder's own message (that one was
 *   delivered to the holder): it is acknowledged. Nothing is lost: the holder's message stays
 *   in flight until the holder finishes (deleted with the verdict), fails retryably or is
 *   stopped (handed back after its lease is released), or crashes (SQS shows it again after
 *   its visibility timeout, by which time the lease, shorter than that timeout, is over);
 * - a redelivered message may be the holder's own (shown again because its heartbeats failed
 *   for a whole visibility timeout, or handed back without the lease released): it is hidden
 *   until the lease can have ended and looked at again, one receive per lease rather than one
 *   per retry delay, so a holder that crashed meanwhile is taken over.
 */
async function claimFile(
  file: FileRecord,
  token: string,
  deps: ProcessFileDeps,
  clock: Clock,
  leaseMs: number,
): Promise<
  | { claimed: FileRecord; heldUntil?: never; reason?: never }
  | { claimed?: never; heldUntil: number; reason?: never }
  | { claimed?: never; heldUntil?: never; reason: string }
> {
  // Two rounds: a first miss can be a race with a release (hand-back, retryable failure).
  for (let round = 0; round < 2; round++) {
    const claimed = await deps.repo.updateFile(claimUpdate(file, clock.now(), leaseMs, token));
    if (claimed) return { claimed };
    const current = await deps.repo.getFile(file.jobId, file.fileId);
    if (!current || isFinished(current.status)) {
      return { reason: `file is already ${current?.status ?? 'gone'}` };
    }
    if (!isClaimable(current, clock.now())) return { heldUntil: current.leaseUntil };
  }
  throw new CutoutError('JOB_CONFLICT', 'the file changed hands while claiming it; retry later', {
    file: file.inputName,
  });
}

function deadlineExceeded(name: string, kind: JobKind, deadlineMs: number): CutoutError {
  const seconds = Math.round(deadlineMs / 100) / 10;
  return new CutoutError(
    'DEADLINE_EXCEEDED',
    `did not finish within ${seconds} s (the ${kind} deadline)`,
    { file: name },
  );
}

function handedBack(name: string): CutoutError {
  // Retryable: the message goes back to the queue for the next worker.
  return new CutoutError('INTERNAL', 'the worker stopped and handed the file back', { file: name });
}

/** `work`'s result, or a rejection with the signal's reason as soon as it aborts. */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Waits for `work` to settle, at most `ms`. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Renews the claim's lease every third of its length, for images and videos alike (progress
 * writes also extend it, but a slow step can go a long time without progress). A renewal that
 * finds the file no longer this claim's calls `onLost`; a failed write is tried again next tick.
 */
function keepLease(
  file: FileRecord,
  token: string,
  deps: ProcessFileDeps,
  clock: Clock,
  leaseMs: number,
  onLost: () => void,
): { stop(): Promise<void> } {
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(
    () => {
      if (stopped) return;
      inFlight = inFlight.then(async () => {
        if (stopped) return;
        const renewed = await deps.repo
          .updateFile(renewLeaseUpdate(file, token, clock.now(), leaseMs))
          .then(
            (updated) => (updated ? 'renewed' : 'lost'),
            () => 'unknown' as const,
          );
        if (renewed === 'lost' && !stopped) onLost();
      });
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

type Finished = ProcessedOutput & { outputContentType: string; outputSize: number };

async function runProcessor(
  job: JobRecord,
  file: FileRecord,
  deps: ProcessFileDeps,
  signal: AbortSignal,
  onProgress: ProgressReporter,
): Promise<Finished> {
  const options = job.options;
  if (options.kind === 'image') {
    const processor = deps.processors.image;
    if (!processor)
      throw new CutoutError('MODEL_UNAVAILABLE', 'this worker has no image processor');
    // Images are held in memory: an object over the cap is refused by its size, unread.
    const bounded = { maxBytes: deps.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES };
    const [input, background] = await Promise.all([
      deps.inputs.get(file.inputKey, bounded),
      job.backgroundKey ? deps.inputs.get(job.backgroundKey, bounded) : Promise.resolve(undefined),
    ]);
    const result = await processor(input, options, {
      fileName: file.inputName,
      ...(background ? { background } : {}),
      signal,
      onProgress,
    });
    await onProgress.settled();
    await deps.outputs.put(file.outputKey, result.data, {
      contentType: result.contentType,
      downloadName: file.outputName,
    });
    return { ...result, outputContentType: result.contentType, outputSize: result.data.byteLength };
  }

  const processor = deps.processors.video;
  if (!processor) throw new CutoutError('MODEL_UNAVAILABLE', 'this worker has no video processor');
  if (!deps.scratch) throw new CutoutError('INTERNAL', 'video processing needs a scratch folder');
  const workDir = await deps.scratch.makeDir(`${file.jobId}-${file.fileId}`);
  try {
    // Neutral names: the video processor sniffs the container from the bytes, never trusting
    // the client's extension (a playlist named .mp4 must not reach ffmpeg's HLS demuxer).
    const inputPath = join(workDir, 'input');
    const bgPath = job.backgroundKey ? join(workDir, 'background') : undefined;
    await Promise.all([
      deps.inputs.getToFile(file.inputKey, inputPath),
      job.backgroundKey && bgPath ? deps.inputs.getToFile(job.backgroundKey, bgPath) : undefined,
    ]);
    const result = await processor(inputPath, options, {
      fileName: file.inputName,
      ...(bgPath ? { backgroundPath: bgPath } : {}),
      workDir,
      signal,
      onProgress,
    });
    await onProgress.settled();
    await deps.outputs.putFile(file.outputKey, result.path, {
      contentType: result.contentType,
      downloadName: file.outputName,
    });
    const size = (await deps.outputs.head(file.outputKey))?.size ?? 0;
    return { ...result, outputContentType: result.contentType, outputSize: size };
  } finally {
    await deps.scratch.remove(workDir).catch(() => undefined);
  }
}

type ProgressReporter = ((fraction: number) => void) & { settled(): Promise<void> };

/**
 * Progress callback that writes at most every interval, one write at a time, never throwing.
 * Silent once `signal` aborts: a write landing after a hand-back's release would extend the
 * lease again and make the next worker take its message for a duplicate.
 */
function progressReporter(
  file: FileRecord,
  token: string,
  deps: ProcessFileDeps,
  clock: Clock,
  leaseMs: number,
  signal: AbortSignal,
): ProgressReporter {
  const interval = deps.progressIntervalMs ?? 1000;
  let lastWrite = clock.now();
  let inFlight: Promise<unknown> = Promise.resolve();
  let writing = false;
  const report = (fraction: number) => {
    const now = clock.now();
    if (signal.aborted || writing || now - lastWrite < interval || !Number.isFinite(fraction))
      return;
    lastWrite = now;
    writing = true;
    inFlight = deps.repo
      .updateFile(progressUpdate(file, token, fraction, now, leaseMs))
      .catch(() => undefined)
      .finally(() => {
        writing = false;
      });
  };
  return Object.assign(report, { settled: () => inFlight.then(() => undefined) });
}
