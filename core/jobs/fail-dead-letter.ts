import { describeProblem } from '../errors.ts';
import { type FileRecord, isFinished } from './job.ts';
import type { JobMessage } from './job-message.ts';
import { type Clock, type JobRepository, systemClock } from './ports.ts';
import { deadLetterFailUpdate } from './transitions.ts';

export interface FailDeadLetterDeps {
  readonly repo: JobRepository;
  readonly clock?: Clock;
}

export type FailDeadLetterOutcome =
  | { readonly outcome: 'failed'; readonly reason: string }
  | { readonly outcome: 'ignored'; readonly reason: string }
  /** A worker holds the file under a live lease: look again in `retryInSeconds`. */
  | { readonly outcome: 'deferred'; readonly reason: string; readonly retryInSeconds: number };

/**
 * The longest wait before a deferred dead letter is looked at again. The holder renews its
 * lease (at most the worker's lease length ahead), so one lease from now is when it can first
 * have ended; the cap keeps a re-check within a quarter hour whatever the lease setting.
 */
export const MAX_DEAD_LETTER_RECHECK_SECONDS = 900;

/**
 * The reason a dead-lettered file shows in `/v1/results` `failed`. `lastError` is what the
 * worker recorded after the file's name (problemAfterFile), so the name is said once.
 */
export function deadLetterReason(
  name: string,
  attempts: number,
  lastError: string | undefined,
): string {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  const why = lastError ?? 'the worker stopped before finishing (crash or timeout)';
  return describeProblem(name, `gave up after ${tries}: ${why}`);
}

/**
 * A message that exhausted its receives: the file is marked failed with a readable reason,
 * unless it finished meanwhile (a late success wins) or a worker holds it under a live lease
 * (a duplicate ran out of receives while the holder works): then it is deferred until the lease
 * can have ended, and judged again. A lease that ended without the file finishing means its
 * holder is gone, and the dead letter then fails the file as usual.
 */
export async function failDeadLetter(
  message: JobMessage,
  deps: FailDeadLetterDeps,
): Promise<FailDeadLetterOutcome> {
  const clock = deps.clock ?? systemClock;
  const file = await deps.repo.getFile(message.jobId, message.fileId);
  if (!file) return { outcome: 'ignored', reason: `no file ${message.jobId}/${message.fileId}` };
  if (isFinished(file.status))
    return { outcome: 'ignored', reason: `file is already ${file.status}` };
  const held = whileLeased(file, clock.now());
  if (held) return held;
  const reason = deadLetterReason(file.inputName, file.attempts, file.lastError);
  const updated = await deps.repo.updateFile(deadLetterFailUpdate(file, reason, clock.now()));
  if (updated) return { outcome: 'failed', reason };
  // Finished, or claimed by a redelivery, since the read.
  const current = await deps.repo.getFile(message.jobId, message.fileId);
  return (
    (current && whileLeased(current, clock.now())) ?? {
      outcome: 'ignored',
      reason: `file moved on meanwhile (${current?.status ?? 'gone'})`,
    }
  );
}

function whileLeased(file: FileRecord, now: number): FailDeadLetterOutcome | undefined {
  if (file.status !== 'running' || file.leaseUntil <= now) return undefined;
  const leaseLeft = Math.ceil((file.leaseUntil - now) / 1000);
  return {
    outcome: 'deferred',
    reason: `a worker holds ${file.inputName} until ${new Date(file.leaseUntil).toISOString()}`,
    retryInSeconds: Math.min(MAX_DEAD_LETTER_RECHECK_SECONDS, leaseLeft + 1),
  };
}
