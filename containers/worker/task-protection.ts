import type { Log } from '../../adapters/observability/log.ts';
import {
  type MetricsWriter,
  protectionFailureRecord,
} from '../../adapters/observability/metrics.ts';

/**
 * ECS task scale-in protection: while a file is in progress the task asks the ECS agent not to be
 * picked when the service scales in (a backlog-driven scale-in would otherwise stop a worker
 * mid-video). Outside ECS (`ECS_AGENT_URI` unset) every call is a no-op.
 */

export interface TaskProtection {
  /** Marks one more file in progress; protection is switched on with the first. */
  acquire(): Promise<void>;
  /** Marks one file finished; protection is switched off with the last. */
  release(): Promise<void>;
  /** Stops refreshing and switches protection off. */
  close(): Promise<void>;
}

export interface TaskProtectionOptions {
  /** `ECS_AGENT_URI`; undefined outside ECS. */
  readonly agentUri: string | undefined;
  /** How long one protection lasts unless refreshed (ECS allows 1-2880 minutes). */
  readonly expiresInMinutes?: number;
  readonly fetch?: typeof fetch;
  readonly onError?: (error: unknown) => void;
}

export const noTaskProtection: TaskProtection = {
  acquire: async () => undefined,
  release: async () => undefined,
  close: async () => undefined,
};

export function createTaskProtection(options: TaskProtectionOptions): TaskProtection {
  const agentUri = options.agentUri?.replace(/\/+$/, '');
  if (!agentUri) return noTaskProtection;
  const expiresInMinutes = options.expiresInMinutes ?? 60;
  const send = options.fetch ?? fetch;
  const onError = options.onError ?? (() => undefined);
  let active = 0;
  let refresh: NodeJS.Timeout | undefined;
  // Calls are chained so the agent sees enable/disable in the order the worker made them.
  let queue: Promise<void> = Promise.resolve();

  const put = (enabled: boolean): Promise<void> => {
    queue = queue.then(async () => {
      try {
        const response = await send(`${agentUri}/task-protection/v1/state`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            enabled
              ? { ProtectionEnabled: true, ExpiresInMinutes: expiresInMinutes }
              : { ProtectionEnabled: false },
          ),
        });
        if (!response.ok) {
          onError(
            new Error(
              `task protection: agent answered ${response.status} ${await response.text()}`,
            ),
          );
        }
      } catch (error) {
        // Protection is best effort: a failed call must not fail the file.
        onError(error);
      }
    });
    return queue;
  };

  return {
    async acquire() {
      active += 1;
      if (active !== 1) return;
      // Refreshed at half the expiry so a long video stays protected however long it takes.
      refresh = setInterval(() => void put(true), (expiresInMinutes * 60_000) / 2);
      refresh.unref();
      await put(true);
    },
    async release() {
      if (active === 0) return;
      active -= 1;
      if (active !== 0) return;
      clearInterval(refresh);
      refresh = undefined;
      await put(false);
    },
    async close() {
      clearInterval(refresh);
      refresh = undefined;
      if (active > 0) {
        active = 0;
        await put(false);
      }
      await queue;
    },
  };
}

/**
 * The `onError` the worker passes: a failed protection call is an error (the task may be
 * stopped mid-file on scale-in; an AccessDenied means the task role lacks
 * `ecs:UpdateTaskProtection`), logged as one and counted in `TaskProtectionFailures`.
 */
export function reportProtectionFailure(
  log: Log,
  writeMetric: MetricsWriter,
  now: () => number = Date.now,
): (error: unknown) => void {
  return (error) => {
    log.error('task-protection.failed', { error: String(error) });
    writeMetric(protectionFailureRecord(now()));
  };
}
