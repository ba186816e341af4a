import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CutoutError, toCutoutError } from '../errors.ts';
import { type FileRecord, isFinished, type JobRecord } from './job.ts';
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
   * How long a claim owns the file without news; progress extends it. Keep it below the
   * queue's visibility timeout so a redelivery after a crash finds the lease over.
   */
  readonly leaseMs?: number;
  /** Least time between two progress writes. */
  readonly progressIntervalMs?: number;
  readonly newToken?: () => string;
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
  | { readonly outcome: 'skipped'; readonly reason: string };

const DEFAULT_LEASE_MS = 60_000;

/**
 * Processes one file of one message. Resolving means "acknowledge the message"; rejecting
 * means "leave it for redelivery" (after maxReceiveCount it lands in the dead-letter queue).
 *
 * 1. Load the job and file; unknown or already finished -> skipped.
 * 2. Claim it (queued, or running under an expired lease -> running, attempts + 1). A file
 *    another worker holds -> reject, so the message comes back after that lease.
 * 3. Download the input (and background), run the processor for the job's kind with
 *    progress updates, upload the output under the file's fixed key, mark done.
 * 4. A non-retryable CutoutError fails the file with its message (resolve); anything else
 *    releases the claim with the reason kept for the dead-letter path, and rejects.
 */
export async function processFile(
  message: JobMessage,
  deps: ProcessFileDeps,
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

  const token = (deps.newToken ?? randomUUID)();
  const claimed = await deps.repo.updateFile(claimUpdate(file, clock.now(), leaseMs, token));
  if (!claimed) {
    const current = await deps.repo.getFile(file.jobId, file.fileId);
    if (!current || isFinished(current.status)) {
      return { outcome: 'skipped', reason: `file is already ${current?.status ?? 'gone'}` };
    }
    throw new CutoutError(
      'JOB_CONFLICT',
      `${file.inputName}: another worker holds this file; retry later`,
    );
  }

  try {
    const output = await runProcessor(found.job, claimed, token, deps, clock, leaseMs);
    const done = await deps.repo.updateFile(completeUpdate(claimed, token, output, clock.now()));
    if (!done) return { outcome: 'skipped', reason: 'lost the claim before finishing' };
    return {
      outcome: 'done',
      outputKey: claimed.outputKey,
      modelId: output.modelId,
      createdAt: claimed.createdAt,
    };
  } catch (thrown) {
    const error = toCutoutError(thrown);
    if (!error.retryable) {
      const reason = namingFile(claimed.inputName, error.message);
      await deps.repo.updateFile(failUpdate(claimed, reason, clock.now(), token));
      return {
        outcome: 'failed',
        code: error.code,
        error: reason,
        modelId: found.job.options.model,
        createdAt: claimed.createdAt,
      };
    }
    const lastError =
      error.code === 'INTERNAL'
        ? 'an internal error'
        : namingFile(claimed.inputName, error.message);
    await deps.repo
      .updateFile(releaseUpdate(claimed, token, lastError, clock.now()))
      .catch(() => undefined);
    throw thrown;
  }
}

function namingFile(name: string, message: string): string {
  return message.includes(name) ? message : `${name}: ${message}`;
}

type Finished = ProcessedOutput & { outputContentType: string; outputSize: number };

async function runProcessor(
  job: JobRecord,
  file: FileRecord,
  token: string,
  deps: ProcessFileDeps,
  clock: Clock,
  leaseMs: number,
): Promise<Finished> {
  const onProgress = progressReporter(file, token, deps, clock, leaseMs);
  // TODO(issue 10 §2): the file's deadline; until then a signal that never aborts.
  const signal = new AbortController().signal;
  const options = job.options;
  if (options.kind === 'image') {
    const processor = deps.processors.image;
    if (!processor)
      throw new CutoutError('MODEL_UNAVAILABLE', 'this worker has no image processor');
    const [input, background] = await Promise.all([
      deps.inputs.get(file.inputKey),
      job.backgroundKey ? deps.inputs.get(job.backgroundKey) : Promise.resolve(undefined),
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

/** Progress callback that writes at most every interval, one write at a time, never throwing. */
function progressReporter(
  file: FileRecord,
  token: string,
  deps: ProcessFileDeps,
  clock: Clock,
  leaseMs: number,
): ((fraction: number) => void) & { settled(): Promise<void> } {
  const interval = deps.progressIntervalMs ?? 1000;
  let lastWrite = clock.now();
  let inFlight: Promise<unknown> = Promise.resolve();
  let writing = false;
  const report = (fraction: number) => {
    const now = clock.now();
    if (writing || now - lastWrite < interval || !Number.isFinite(fraction)) return;
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
