import { CutoutError } from '../errors.ts';

/**
 * How a file's deadline (an AbortSignal) ends the work below the job system: a processor rejects
 * with a CutoutError whatever aborted it, so the worker can record a stable code.
 */

/**
 * The error an aborted signal stands for: its reason when that is already a CutoutError (the
 * worker's deadline, a hand-back, a lost lease), otherwise DEADLINE_EXCEEDED.
 */
export function abortError(signal: AbortSignal, file?: string): CutoutError {
  const reason: unknown = signal.reason;
  if (reason instanceof CutoutError) return reason;
  return new CutoutError('DEADLINE_EXCEEDED', 'stopped at its deadline', {
    ...(file === undefined ? { subject: 'the file' } : { file }),
    cause: reason,
  });
}

/** @throws CutoutError (see abortError) when `signal` has aborted */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/**
 * `work`'s result, or a rejection as soon as `signal` aborts. Used around steps that cannot be
 * interrupted (an ONNX run): the caller is released at once and the step's late result is
 * dropped.
 */
export function raceAbort<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  what?: string,
): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(abortError(signal, what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * A signal that aborts with `parent` or after `ms`, whichever comes first, the latter with
 * `expired()` (a DEADLINE_EXCEEDED naming the file). `dispose` clears the timer once the work is
 * over.
 */
export function tightenDeadline(
  parent: AbortSignal | undefined,
  ms: number,
  expired: () => CutoutError,
): { readonly signal: AbortSignal; dispose(): void } {
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(expired()), Math.max(0, ms));
  // The deadline alone must not keep a CLI process alive once its work is done.
  timer.unref?.();
  return {
    signal: parent ? AbortSignal.any([parent, own.signal]) : own.signal,
    dispose: () => clearTimeout(timer),
  };
}
