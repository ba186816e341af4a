import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { webhookNotifier } from '../../adapters/aws/webhook-notifier.ts';
import { fileFailedRecord } from '../../adapters/observability/metrics.ts';
import { isCutoutError } from '../../core/errors.ts';
import { failDeadLetter } from '../../core/jobs/fail-dead-letter.ts';
import { parseJobMessage } from '../../core/jobs/job-message.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { eventHandler } from '../shared/middleware.ts';
import type { DeadLetterConfig } from './env.ts';
import { queueUrlFromArn } from './queue-url.ts';

/**
 * SQS event from a dead-letter queue: each file whose message ran out of receives is marked
 * failed with a readable reason. A file a worker still holds under a live lease is not failed:
 * its record stays in the queue (a batch item failure) hidden until the lease can have ended,
 * then is judged again; the hiding is what keeps this from looping hot (if it fails, the
 * queue's own visibility timeout, minutes, spaces the retries). Records that fail for a passing
 * reason are retried the same way; unreadable bodies are dropped with a log line.
 */
export function createDeadLetterHandler(
  config: DeadLetterConfig,
  given: Partial<HandlerDeps> = {},
) {
  const aws = clientsFor(config, given);
  const deps = { repo: new DynamoJobRepository(aws.dynamo, config.JOBS_TABLE_NAME) };
  const notify = webhookNotifier({
    dynamo: aws.dynamo,
    sqs: aws.sqs,
    jobsTable: config.JOBS_TABLE_NAME,
    queueUrl: config.WEBHOOK_QUEUE_URL,
  });

  return eventHandler<SQSEvent, SQSBatchResponse>(
    observed('on-dead-letter', config, given),
    async (event, _context, logger, metrics) => {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        try {
          const message = parseJobMessage(record.body);
          const outcome = await failDeadLetter(message, deps);
          if (outcome.outcome === 'deferred') {
            await aws.sqs.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: queueUrlFromArn(record.eventSourceARN),
                ReceiptHandle: record.receiptHandle,
                VisibilityTimeout: outcome.retryInSeconds,
              }),
            );
            batchItemFailures.push({ itemIdentifier: record.messageId });
            logger.log('info', 'dead letter deferred', { ...message, ...outcome });
            continue;
          }
          logger.log('warn', 'dead letter handled', { ...message, ...outcome });
          if (outcome.outcome === 'failed') {
            // The file's failure stands whatever happens here; a lost event is the reconciler's.
            await notify?.(message.jobId, message.fileId).catch((error: unknown) =>
              logger.log('warn', 'webhook notify failed', { ...message, error }),
            );
            metrics(
              fileFailedRecord({
                kind: message.kind,
                failedBy: 'dead-letter',
                timestampMs: Date.now(),
              }),
            );
          }
        } catch (error) {
          if (isCutoutError(error) && error.code === 'INVALID_REQUEST') {
            logger.log('error', 'dead letter unreadable', { messageId: record.messageId, error });
            continue;
          }
          logger.log('error', 'dead letter not handled', { messageId: record.messageId, error });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    },
  );
}
