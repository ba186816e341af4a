import { CutoutError } from '../errors.ts';
import { type FileRecord, isClaimable, isFinished, type JobRecord } from './job.ts';
import type { JobMessage } from './job-message.ts';
import type { Clock, JobRepository } from './ports.ts';
import type { ProcessFileOutcome } from './process-file-outcome.ts';
import { claimUpdate } from './transitions.ts';

/** SQS refuses a visibility timeout over 12 hours. */
const MAX_HELD_RETRY_SECONDS = 43_000;

/** A file this worker has claimed: what every later write of the claim needs. */
export interface HeldClaim {
  readonly repo: JobRepository;
  readonly clock: Clock;
  readonly job: JobRecord;
  /** The file as the claim wrote it. */
  readonly file: FileRecord;
  readonly token: string;
  readonly leaseMs: number;
}

/** The message's job and file when the file may be worked on, otherwise why it is skipped. */
export async function findFileToClaim(
  repo: JobRepository,
  message: JobMessage,
): Promise<
  | { job: JobRecord; file: FileRecord; skipped?: never }
  | { job?: never; file?: never; skipped: ProcessFileOutcome }
> {
  const found = await repo.getJob(message.jobId);
  const file = found?.files.find((f) => f.fileId === message.fileId);
  if (!found || !file) {
    return {
      skipped: { outcome: 'skipped', reason: `no file ${message.jobId}/${message.fileId}` },
    };
  }
  if (isFinished(file.status)) {
    return { skipped: { outcome: 'skipped', reason: `file is already ${file.status}` } };
  }
  if (file.status === 'waiting_upload') {
    return { skipped: { outcome: 'skipped', reason: 'file has not been uploaded yet' } };
  }
  return { job: found.job, file };
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
export async function claimFile(
  file: FileRecord,
  token: string,
  repo: JobRepository,
  clock: Clock,
  leaseMs: number,
): Promise<
  | { claimed: FileRecord; heldUntil?: never; reason?: never }
  | { claimed?: never; heldUntil: number; reason?: never }
  | { claimed?: never; heldUntil?: never; reason: string }
> {
  // Two rounds: a first miss can be a race with a release (hand-back, retryable failure).
  for (let round = 0; round < 2; round++) {
    const claimed = await repo.updateFile(claimUpdate(file, clock.now(), leaseMs, token));
    if (claimed) return { claimed };
    const current = await repo.getFile(file.jobId, file.fileId);
    if (!current || isFinished(current.status)) {
      return { reason: `file is already ${current?.status ?? 'gone'}` };
    }
    if (!isClaimable(current, clock.now())) return { heldUntil: current.leaseUntil };
  }
  throw new CutoutError('JOB_CONFLICT', 'the file changed hands while claiming it; retry later', {
    file: file.inputName,
  });
}

/**
 * The answer to a message whose file another claim holds until `heldUntil` (see claimFile): a
 * first delivery is a copy (acknowledged); a redelivery may be the holder's own message.
 */
export function heldElsewhere(
  heldUntil: number,
  now: number,
  receiveCount: number,
): ProcessFileOutcome {
  const reason = `another worker holds the file until ${new Date(heldUntil).toISOString()}`;
  if (receiveCount <= 1) return { outcome: 'skipped', reason };
  const leaseLeft = Math.ceil((heldUntil - now) / 1000);
  return {
    outcome: 'held',
    reason,
    retryInSeconds: Math.min(MAX_HELD_RETRY_SECONDS, Math.max(1, leaseLeft + 1)),
  };
}
