import { type FileRecord, statusesAllowing } from './job.ts';
import type { FilePatch, FileUpdate, OutputGeometry } from './ports.ts';

/**
 * Each status change as a pure function from "what the caller knows" to one conditional
 * write. The repository applies the condition atomically; `applyFileUpdate` states the same
 * semantics in memory (the fake repository and the unit tests use it).
 */

const iso = (now: number) => new Date(now).toISOString();

/** A write that only the claim holding `leaseToken` on a running file may make. */
function byOwner(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  leaseToken: string,
  set: FilePatch,
): FileUpdate {
  return { jobId: file.jobId, fileId: file.fileId, from: ['running'], leaseToken, set };
}

/** waiting_upload -> queued, when the upload event arrives. */
export function markQueuedUpdate(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  now: number,
  size: number | undefined,
): FileUpdate {
  return {
    jobId: file.jobId,
    fileId: file.fileId,
    from: ['waiting_upload'],
    set: { status: 'queued', updatedAt: iso(now), ...(size === undefined ? {} : { size }) },
  };
}

/** queued (or running under an expired lease) -> running, owned by `leaseToken` until the lease ends. */
export function claimUpdate(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  now: number,
  leaseMs: number,
  leaseToken: string,
): FileUpdate {
  return {
    jobId: file.jobId,
    fileId: file.fileId,
    from: ['queued', 'running'],
    leaseExpiredAt: now,
    incrementAttempts: true,
    set: {
      status: 'running',
      progress: 0,
      leaseToken,
      leaseUntil: now + leaseMs,
      updatedAt: iso(now),
    },
  };
}

/** Progress while running; also extends the lease. */
export function progressUpdate(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  leaseToken: string,
  progress: number,
  now: number,
  leaseMs: number,
): FileUpdate {
  return byOwner(file, leaseToken, {
    progress: Math.min(1, Math.max(0, progress)),
    leaseUntil: now + leaseMs,
    updatedAt: iso(now),
  });
}

/**
 * Extends the lease of a running file, on a timer while it is processed. Fails (undefined) once
 * the claim is no longer the owner: another worker took the file over, or it finished.
 */
export function renewLeaseUpdate(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  leaseToken: string,
  now: number,
  leaseMs: number,
): FileUpdate {
  return byOwner(file, leaseToken, { leaseUntil: now + leaseMs, updatedAt: iso(now) });
}

/** running -> done; only the claim that owns the file may finish it. */
export function completeUpdate(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  leaseToken: string,
  result: {
    modelId: string;
    warnings: readonly string[];
    outputContentType: string;
    outputSize: number;
    geometry?: OutputGeometry | undefined;
  },
  now: number,
): FileUpdate {
  // Named one by one: callers pass the processor's whole result, output bytes included, and a
  // spread would write those into the item (DynamoDB refuses items over 400 KB).
  return byOwner(file, leaseToken, {
    status: 'done',
    progress: 1,
    leaseUntil: 0,
    updatedAt: iso(now),
    modelId: result.modelId,
    warnings: [...result.warnings],
    outputContentType: result.outputContentType,
    outputSize: result.outputSize,
    ...(result.geometry ? { outputGeometry: result.geometry } : {}),
  });
}

/**
 * -> failed. With a lease token, only the owning claim may fail it (a worker's verdict);
 * without one, any unfinished file (dead letter, bad upload).
 */
export function failUpdate(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  error: string,
  now: number,
  leaseToken?: string,
): FileUpdate {
  return {
    jobId: file.jobId,
    fileId: file.fileId,
    from: leaseToken === undefined ? statusesAllowing('failed') : ['running'],
    ...(leaseToken === undefined ? {} : { leaseToken }),
    set: { status: 'failed', leaseUntil: 0, error, updatedAt: iso(now) },
  };
}

/**
 * -> failed for a dead-lettered message: any unfinished file, except one running under a
 * live lease (its holder is still working; a claim made after the caller's read counts too).
 */
export function deadLetterFailUpdate(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  error: string,
  now: number,
): FileUpdate {
  return { ...failUpdate(file, error, now), leaseExpiredAt: now };
}

/** Gives a running file back after a retryable failure, so the redelivered message can claim it at once. */
export function releaseUpdate(
  file: Pick<FileRecord, 'jobId' | 'fileId'>,
  leaseToken: string,
  lastError: string,
  now: number,
): FileUpdate {
  return byOwner(file, leaseToken, { leaseUntil: 0, lastError, updatedAt: iso(now) });
}

/** Whether `update`'s condition holds for `file`. */
export function conditionHolds(file: FileRecord, update: FileUpdate): boolean {
  if (!update.from.includes(file.status)) return false;
  if (update.leaseToken !== undefined && file.leaseToken !== update.leaseToken) return false;
  if (
    update.leaseExpiredAt !== undefined &&
    file.status === 'running' &&
    file.leaseUntil > update.leaseExpiredAt
  ) {
    return false;
  }
  return true;
}

/** The record after `update`, or undefined when its condition does not hold. */
export function applyFileUpdate(file: FileRecord, update: FileUpdate): FileRecord | undefined {
  if (!conditionHolds(file, update)) return undefined;
  const patch = Object.fromEntries(
    Object.entries(update.set).filter(([, value]) => value !== undefined),
  );
  return {
    ...file,
    ...patch,
    attempts: file.attempts + (update.incrementAttempts ? 1 : 0),
  };
}
