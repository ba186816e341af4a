import { isFinished } from './job.ts';
import type { JobMessage } from './job-message.ts';
import { type Clock, type JobRepository, systemClock } from './ports.ts';
import { failUpdate } from './transitions.ts';

export interface FailDeadLetterDeps {
  readonly repo: JobRepository;
  readonly clock?: Clock;
}

export type FailDeadLetterOutcome =
  | { readonly outcome: 'failed'; readonly reason: string }
  | { readonly outcome: 'ignored'; readonly reason: string };

/** The reason a dead-lettered file shows in `/v1/results` `failed`. */
export function deadLetterReason(
  name: string,
  attempts: number,
  lastError: string | undefined,
): string {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  // Errors recorded by the worker already start with the file's name; say it once.
  const prefix = `${name}: `;
  const recorded = lastError?.startsWith(prefix) ? lastError.slice(prefix.length) : lastError;
  const why = recorded ?? 'the worker stopped before finishing (crash or timeout)';
  return `${name}: gave up after ${tries}: ${why}`;
}

/**
 * A message that exhausted its receives: the file is marked failed with a readable reason,
 * unless it finished meanwhile (a late success wins).
 */
export async function failDeadLetter(
  message: JobMessage,
  deps: FailDeadLetterDeps,
): Promise<FailDeadLetterOutcome> {
  const file = await deps.repo.getFile(message.jobId, message.fileId);
  if (!file) return { outcome: 'ignored', reason: `no file ${message.jobId}/${message.fileId}` };
  if (isFinished(file.status))
    return { outcome: 'ignored', reason: `file is already ${file.status}` };
  const reason = deadLetterReason(file.inputName, file.attempts, file.lastError);
  const now = (deps.clock ?? systemClock).now();
  const updated = await deps.repo.updateFile(failUpdate(file, reason, now));
  if (!updated) return { outcome: 'ignored', reason: 'file finished meanwhile' };
  return { outcome: 'failed', reason };
}
