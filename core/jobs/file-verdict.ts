import { describeForFile, problemAfterFile, toCutoutError } from '../errors.ts';
import type { HeldClaim } from './claim-file.ts';
import { type FileStop, settledWithin } from './file-stop.ts';
import type { ProcessFileOutcome } from './process-file-outcome.ts';
import type { FinishedOutput } from './run-processor.ts';
import { completeUpdate, failUpdate, releaseUpdate } from './transitions.ts';

/** The verdict a claim writes once its file's processing has ended, and the message's answer. */

/** The output is written: the file is done, unless the claim was lost meanwhile. */
export async function recordDone(
  claim: HeldClaim,
  output: FinishedOutput,
): Promise<ProcessFileOutcome> {
  const { repo, clock, file, token } = claim;
  const done = await repo.updateFile(completeUpdate(file, token, output, clock.now()));
  if (!done) return { outcome: 'skipped', reason: 'lost the claim before finishing' };
  return {
    outcome: 'done',
    outputKey: file.outputKey,
    modelId: output.modelId,
    createdAt: file.createdAt,
  };
}

/**
 * The processor threw or was stopped (`stop.reason`). A hand-back releases the claim at once
 * and rejects; a lost lease is skipped (the new owner decides); a non-retryable CutoutError
 * (the deadline's DEADLINE_EXCEEDED included) fails the file; anything else releases the claim
 * with the reason kept for the dead-letter path, and rejects with `thrown`.
 *
 * @param work the processor's run, given `abortGraceMs` to stop after an abort
 */
export async function recordStopOrFailure(
  claim: HeldClaim,
  thrown: unknown,
  stop: FileStop,
  work: Promise<unknown>,
  abortGraceMs: number,
): Promise<ProcessFileOutcome> {
  const { repo, clock, file, token } = claim;
  if (stop.reason === 'handed-back') {
    // Released before the processor has stopped: the process is about to go, and the next
    // worker should not wait for this one's child processes.
    await repo
      .updateFile(
        // The record names the file itself; lastError says only what happened.
        releaseUpdate(file, token, 'handed back at shutdown', clock.now()),
      )
      .catch(() => undefined);
    throw stop.signal.reason;
  }
  if (stop.reason) await settledWithin(work, abortGraceMs);
  if (stop.reason === 'lease-lost') {
    return { outcome: 'skipped', reason: 'lost the claim while processing' };
  }
  const error = toCutoutError(stop.reason === 'deadline' ? stop.signal.reason : thrown);
  if (!error.retryable) {
    const reason = describeForFile(file.inputName, error);
    await repo.updateFile(failUpdate(file, reason, clock.now(), token));
    return {
      outcome: 'failed',
      code: error.code,
      error: reason,
      modelId: claim.job.options.model,
      createdAt: file.createdAt,
    };
  }
  // Unexpected errors keep their text in the worker's log only (it logs what is thrown).
  const lastError =
    error.code === 'INTERNAL' ? 'an internal error' : problemAfterFile(file.inputName, error);
  await repo.updateFile(releaseUpdate(file, token, lastError, clock.now())).catch(() => undefined);
  throw thrown;
}
