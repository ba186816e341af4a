import { CutoutError } from '../errors.ts';
import type { JobKind } from './job.ts';

/** Why processing stopped a file's processor before it finished. */
export type StopReason = 'deadline' | 'lease-lost' | 'handed-back';

/**
 * The one abort signal a file is processed under, and why it fired: the kind's deadline, the
 * worker handing the file back (`handBack` aborts), or the lease lost (`leaseLost`). The first
 * reason wins; `dispose` clears the timer and the listener.
 */
export interface FileStop {
  readonly signal: AbortSignal;
  /** Why it stopped, once it has. */
  readonly reason: StopReason | undefined;
  leaseLost(): void;
  dispose(): void;
}

export function watchFileStop(
  fileName: string,
  kind: JobKind,
  deadlineMs: number,
  handBack: AbortSignal | undefined,
): FileStop {
  const controller = new AbortController();
  let stopped: StopReason | undefined;
  const stop = (why: StopReason, reason: CutoutError) => {
    if (controller.signal.aborted) return;
    stopped = why;
    controller.abort(reason);
  };
  const deadline = setTimeout(
    () => stop('deadline', deadlineExceeded(fileName, kind, deadlineMs)),
    deadlineMs,
  );
  const onHandBack = () => stop('handed-back', handedBack(fileName));
  handBack?.addEventListener('abort', onHandBack, { once: true });
  if (handBack?.aborted) onHandBack(); // given up while the claim was being written
  return {
    signal: controller.signal,
    get reason() {
      return stopped;
    },
    leaseLost: () =>
      stop(
        'lease-lost',
        new CutoutError('JOB_CONFLICT', 'another claim took the file over', { file: fileName }),
      ),
    dispose() {
      clearTimeout(deadline);
      handBack?.removeEventListener('abort', onHandBack);
    },
  };
}

function deadlineExceeded(name: string, kind: JobKind, deadlineMs: number): CutoutError {
  const seconds = Math.round(deadlineMs / 100) / 10;
  return new CutoutError(
    'DEADLINE_EXCEEDED',
    `did not finish within ${seconds} s (the ${kind} deadline)`,
    { file: name },
  );
}

export function handedBack(name: string): CutoutError {
  // Retryable: the message goes back to the queue for the next worker.
  return new CutoutError('INTERNAL', 'the worker stopped and handed the file back', { file: name });
}

/** `work`'s result, or a rejection with the signal's reason as soon as it aborts. */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
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
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
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
