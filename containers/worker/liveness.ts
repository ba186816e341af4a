import { statSync, writeFileSync } from 'node:fs';
import type { JobMessage } from '../../core/jobs/job-message.ts';
import type { ProcessOne } from './handle-message.ts';

/**
 * "The consumer loop is alive", as a file the container health check can read: a timer touches
 * it while the event loop runs and no handler has outlived its limit (its deadline plus the
 * time an aborted processor gets to stop). A blocked event loop fires no timer, and a handler
 * that ignores its deadline keeps the timer from writing, so in both cases the file goes stale
 * and the check (`checkLiveness`, run by health-check.ts) fails; ECS then replaces the task.
 */

export interface LivenessOptions {
  readonly file: string;
  /** The check fails once the file is older than this; the timer ticks four times as often. */
  readonly staleMs: number;
  /** How long a handler of each kind may run before the loop counts as wedged. */
  readonly handlerLimitMs: (kind: JobMessage['kind']) => number;
  readonly now?: () => number;
  /** Told once each time the heartbeat stops or resumes (logs). */
  readonly onChange?: (alive: boolean, detail: string) => void;
}

export interface Liveness {
  /** `process`, with each call's start time tracked. */
  watch(process: ProcessOne): ProcessOne;
  /** Stops the timer; the file is left to go stale (the task is stopping). */
  stop(): void;
}

export function startLiveness(options: LivenessOptions): Liveness {
  const now = options.now ?? Date.now;
  const running = new Map<number, { kind: JobMessage['kind']; since: number; file: string }>();
  let next = 0;
  let alive = true;

  const wedged = (): string | undefined => {
    const at = now();
    for (const call of running.values()) {
      const limit = options.handlerLimitMs(call.kind);
      if (at - call.since > limit) {
        return `${call.kind} ${call.file} has run ${Math.round((at - call.since) / 1000)} s, past its limit of ${Math.round(limit / 1000)} s`;
      }
    }
    return undefined;
  };
  const tick = () => {
    let problem = wedged();
    if (problem === undefined) {
      try {
        // Synchronous on purpose: a thread pool busy with image work must not delay the beat.
        writeFileSync(options.file, `${new Date(now()).toISOString()}\n`);
      } catch (error) {
        problem = `cannot write ${options.file}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if ((problem === undefined) !== alive) {
      alive = problem === undefined;
      options.onChange?.(alive, problem ?? 'handlers back within their limits');
    }
  };
  tick();
  const timer = setInterval(tick, Math.max(100, Math.floor(options.staleMs / 4)));
  timer.unref();

  return {
    watch(process) {
      return async (message, delivery) => {
        const id = next++;
        running.set(id, {
          kind: message.kind,
          since: now(),
          file: `${message.jobId}/${message.fileId}`,
        });
        try {
          return await process(message, delivery);
        } finally {
          running.delete(id);
        }
      };
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * The health check's verdict on the file at `file`: healthy when it was written within
 * `staleMs`. No file, or no file configured, is unhealthy: a check that cannot fail is no check.
 */
export function checkLiveness(
  file: string | undefined,
  staleMs: number,
  now: number = Date.now(),
): { readonly healthy: boolean; readonly reason: string } {
  if (!file) return { healthy: false, reason: 'no liveness file is configured' };
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return { healthy: false, reason: `${file} does not exist (the consumer loop never started)` };
  }
  const age = now - mtimeMs;
  return age > staleMs
    ? { healthy: false, reason: `${file} is ${Math.round(age / 1000)} s old` }
    : { healthy: true, reason: `${file} is ${Math.round(age / 1000)} s old` };
}
