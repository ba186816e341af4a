import type { Message } from '@aws-sdk/client-sqs';
import type { Log } from '../../adapters/observability/log.ts';
import { fileMetricsRecord, type MetricsWriter } from '../../adapters/observability/metrics.ts';
import { toCutoutError } from '../../core/errors.ts';
import { type JobMessage, parseJobMessage } from '../../core/jobs/job-message.ts';
import type { ProcessFileOptions, ProcessFileOutcome } from '../../core/jobs/process-file.ts';
import type { MessageHandler } from './queue-consumer.ts';
import type { TaskProtection } from './task-protection.ts';

/**
 * The SQS decision for one message, made here and nowhere else:
 * - a body that is not a job message can never succeed: log it and acknowledge;
 * - the file finished (done, failed with its reason, or already finished/unknown): acknowledge;
 *   done and failed also emit one metrics record (skips are not outcomes);
 * - a duplicate of a file another worker holds under a live lease is a skip too: acknowledged,
 *   so it never counts toward the dead-letter limit (processFile says why that is safe); a
 *   redelivered one (`held`) is hidden until that lease can have ended, then looked at again;
 * - anything thrown (a retryable failure, a hand-back at shutdown): leave the message for
 *   redelivery, and after maxReceiveCount the dead-letter queue marks the file failed.
 */

/** `options.signal` aborts when the worker hands the message back at shutdown. */
export type ProcessOne = (
  message: JobMessage,
  options?: ProcessFileOptions,
) => Promise<ProcessFileOutcome>;

export interface MessageHandlerDeps {
  readonly process: ProcessOne;
  readonly protection: TaskProtection;
  readonly log: Log;
  readonly metrics: MetricsWriter;
}

export function createMessageHandler(deps: MessageHandlerDeps): MessageHandler {
  return async (message: Message, signal: AbortSignal) => {
    let job: JobMessage;
    try {
      job = parseJobMessage(message.Body ?? '');
    } catch (error) {
      deps.log.error('message.rejected', {
        messageId: message.MessageId,
        error: toCutoutError(error).message,
      });
      return 'ack';
    }
    const started = Date.now();
    const context = {
      jobId: job.jobId,
      fileId: job.fileId,
      kind: job.kind,
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
    };
    await deps.protection.acquire();
    try {
      const result = await deps.process(job, { signal, receiveCount: context.receiveCount });
      const finished = Date.now();
      deps.log.info(`file.${result.outcome}`, {
        ...context,
        ms: finished - started,
        ...(result.outcome === 'done' ? { modelId: result.modelId } : {}),
        ...(result.outcome === 'failed' ? { code: result.code, error: result.error } : {}),
        ...(result.outcome === 'skipped' || result.outcome === 'held'
          ? { reason: result.reason }
          : {}),
      });
      if (result.outcome === 'held') return { retryInSeconds: result.retryInSeconds };
      if (result.outcome !== 'skipped') {
        deps.metrics(
          fileMetricsRecord({
            kind: job.kind,
            outcome: result,
            startedMs: started,
            finishedMs: finished,
          }),
        );
      }
      return 'ack';
    } catch (thrown) {
      const error = toCutoutError(thrown);
      deps.log.warn('file.retry', {
        ...context,
        ms: Date.now() - started,
        code: error.code,
        // Unexpected errors keep their text in the log only; the file item gets a generic reason.
        error: error.message,
      });
      return 'retry';
    } finally {
      await deps.protection.release();
    }
  };
}
