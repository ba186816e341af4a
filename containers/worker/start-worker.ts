import type { SQSClient } from '@aws-sdk/client-sqs';
import { type Log, silentLog } from '../../adapters/observability/log.ts';
import { type MetricsWriter, silentMetrics } from '../../adapters/observability/metrics.ts';
import type { QueueSettings } from './env.ts';
import { createMessageHandler, type ProcessOne } from './handle-message.ts';
import { type QueueConsumer, startQueueConsumer } from './queue-consumer.ts';
import { noTaskProtection, type TaskProtection } from './task-protection.ts';

/**
 * A running worker: consumers on each configured queue feeding one `process` function (which
 * shares the process's model sessions). The container entry, the local stack and the tests all
 * start workers through this.
 */

export interface WorkerConfig {
  readonly sqs: SQSClient;
  readonly queues: readonly QueueSettings[];
  /** Processes one job message (core/jobs processFile with the adapters bound). */
  readonly process: ProcessOne;
  /** Long-poll wait, 0-20 s. */
  readonly waitTimeSeconds?: number;
  readonly retryDelaySeconds?: number;
  /** How long `stop()` lets in-flight files finish before handing them back. */
  readonly drainMs?: number;
  readonly protection?: TaskProtection;
  readonly log?: Log;
  /** Per-file EMF records; the container writes them to stdout, local runs drop them. */
  readonly metrics?: MetricsWriter;
}

export interface WorkerHandle {
  /** Files being processed right now. */
  readonly inFlight: number;
  /**
   * Graceful stop (SIGTERM): takes no more messages, lets in-flight files finish within the
   * drain time, aborts what did not (each releases its file's lease) and hands those messages
   * back, and switches task protection off.
   */
  stop(): Promise<void>;
  /**
   * Simulates a crash: polling and visibility heartbeats stop at once and nothing is
   * acknowledged, so in-flight messages come back after their visibility timeout.
   */
  kill(): void;
}

export function startWorker(config: WorkerConfig): WorkerHandle {
  const log = config.log ?? silentLog;
  const protection = config.protection ?? noTaskProtection;
  const handle = createMessageHandler({
    process: config.process,
    protection,
    log,
    metrics: config.metrics ?? silentMetrics,
  });
  const consumers: QueueConsumer[] = config.queues.map((queue) =>
    startQueueConsumer({
      sqs: config.sqs,
      queueUrl: queue.url,
      concurrency: queue.concurrency,
      visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
      heartbeatSeconds: queue.heartbeatSeconds,
      waitTimeSeconds: config.waitTimeSeconds ?? 20,
      retryDelaySeconds: config.retryDelaySeconds ?? 10,
      handle,
      onError: (error, message) =>
        log.warn('queue.error', {
          queue: queue.kind,
          messageId: message?.MessageId,
          error: error.message,
        }),
    }),
  );
  log.info('worker.started', {
    queues: config.queues.map((q) => ({ kind: q.kind, concurrency: q.concurrency })),
  });
  let stopping: Promise<void> | undefined;
  const inFlight = () => consumers.reduce((sum, c) => sum + c.inFlight, 0);

  return {
    get inFlight() {
      return inFlight();
    },
    stop() {
      stopping ??= (async () => {
        log.info('worker.stopping', { inFlight: inFlight() });
        await Promise.all(consumers.map((c) => c.stop(config.drainMs ?? 100_000)));
        await protection.close();
        log.info('worker.stopped');
      })();
      return stopping;
    },
    kill() {
      for (const c of consumers) c.kill();
      log.warn('worker.killed');
    },
  };
}
