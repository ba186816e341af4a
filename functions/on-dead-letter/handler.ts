import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { isCutoutError } from '../../core/errors.ts';
import { failDeadLetter } from '../../core/jobs/fail-dead-letter.ts';
import { parseJobMessage } from '../../core/jobs/job-message.ts';
import { clientConfig } from '../shared/env-schema.ts';
import { eventHandler } from '../shared/middleware.ts';
import { env } from './env.ts';

const aws = awsClients(clientConfig(env));
const deps = { repo: new DynamoJobRepository(aws.dynamo, env.JOBS_TABLE_NAME) };

/**
 * SQS event from a dead-letter queue: each file whose message ran out of receives is marked
 * failed with a readable reason. Records that fail for a passing reason are reported back
 * (ReportBatchItemFailures) and retried; unreadable bodies are dropped with a log line.
 */
export const handler = eventHandler<SQSEvent, SQSBatchResponse>(
  'on-dead-letter',
  async (event, _context, logger) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const message = parseJobMessage(record.body);
        const outcome = await failDeadLetter(message, deps);
        logger.log('warn', 'dead letter handled', { ...message, ...outcome });
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
