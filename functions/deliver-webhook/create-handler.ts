import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { DynamoWebhookSecrets } from '../../adapters/aws/dynamo-webhook-secrets.ts';
import { DynamoWebhookStore } from '../../adapters/aws/dynamo-webhook-store.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { createOutboundClient, type Resolver } from '../../adapters/http/outbound-client.ts';
import { OUTBOUND_ENV } from '../../adapters/http/outbound-env.ts';
import { webhookSender } from '../../adapters/http/webhook-sender.ts';
import { ENV } from '../../core/config/resources.ts';
import { isCutoutError } from '../../core/errors.ts';
import { cachedWebhookSecrets } from '../../core/webhooks/cached-secrets.ts';
import { type DeliveryVerdict, deliverWebhook } from '../../core/webhooks/deliver-webhook.ts';
import { parseWebhookMessage } from '../../core/webhooks/webhook-message.ts';
import { WEBHOOK_ENV } from '../../core/webhooks/webhook-settings.ts';
import { queueUrlFromArn } from '../on-dead-letter/queue-url.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { eventHandler } from '../shared/middleware.ts';
import type { DeliverWebhookConfig } from './env.ts';

export interface DeliverWebhookExtras {
  /** Replaces DNS (tests map a name to an address). */
  readonly resolve?: Resolver;
}

/**
 * How long a warm function keeps a key's signing secret: finding it is a Scan of the keys
 * table (it is keyed by the key's hash, a job knows the key's id), which a burst of events for
 * one key would otherwise repeat per event. A rotated secret signs events within this time.
 */
export const SECRET_CACHE_MS = 60_000;

/**
 * SQS event from the webhooks queue: each record is one delivery attempt of one event (its
 * receive count is the attempt's number), all records at once, so a slow receiver holds up only
 * its own. A failed attempt stays in the queue as a batch item failure, hidden for the retry
 * schedule's wait; after the last, it is made visible at once, and its next receive moves it to
 * the dead-letter queue (maxReceiveCount = the attempts). Unreadable bodies are dropped.
 */
export function createDeliverWebhookHandler(
  config: DeliverWebhookConfig,
  given: Partial<HandlerDeps> & DeliverWebhookExtras = {},
) {
  const aws = clientsFor(config, given);
  const client = createOutboundClient(
    {
      allowHttp: config[OUTBOUND_ENV.allowHttp],
      allowedCidrs: config[OUTBOUND_ENV.allowCidrs],
    },
    ...(given.resolve ? [given.resolve] : []),
  );
  const deps = {
    repo: new DynamoJobRepository(aws.dynamo, config[ENV.jobsTable]),
    outputs: new S3ObjectStore(aws.s3, aws.s3Presign, config[ENV.outputBucket]),
    webhooks: new DynamoWebhookStore(aws.dynamo, config[ENV.jobsTable]),
    secrets: cachedWebhookSecrets(new DynamoWebhookSecrets(aws.dynamo, config[ENV.keysTable]), {
      ttlMs: SECRET_CACHE_MS,
    }),
    send: webhookSender(client, config[WEBHOOK_ENV.timeoutSeconds] * 1000),
    retry: {
      maxAttempts: config[WEBHOOK_ENV.maxAttempts],
      retryBaseSeconds: config[WEBHOOK_ENV.retryBaseSeconds],
    },
  };

  const hide = (record: SQSRecord, seconds: number) =>
    aws.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrlFromArn(record.eventSourceARN),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );

  return eventHandler<SQSEvent, SQSBatchResponse>(
    observed('deliver-webhook', config, given),
    async (event, _context, logger) => {
      const failed = await Promise.all(
        event.Records.map(async (record): Promise<string | undefined> => {
          try {
            const message = parseWebhookMessage(record.body);
            const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
            const verdict: DeliveryVerdict = await deliverWebhook(message, attempt, deps);
            const detail = { ...message, attempt, ...verdict };
            if (verdict.outcome === 'retry') {
              await hide(record, verdict.delaySeconds);
              logger.log('warn', 'webhook attempt failed', detail);
              return record.messageId;
            }
            if (verdict.outcome === 'gave-up') {
              await hide(record, 0);
              logger.log('error', 'webhook gave up', detail);
              return record.messageId;
            }
            logger.log(verdict.outcome === 'refused' ? 'warn' : 'info', 'webhook', detail);
            return undefined;
          } catch (error) {
            if (isCutoutError(error) && error.code === 'INVALID_REQUEST') {
              logger.log('error', 'webhook message unreadable', {
                messageId: record.messageId,
                error,
              });
              return undefined;
            }
            // The queue's visibility timeout brings it back; the receive counts as an attempt.
            logger.log('error', 'webhook not handled', { messageId: record.messageId, error });
            return record.messageId;
          }
        }),
      );
      return {
        batchItemFailures: failed
          .filter((id): id is string => id !== undefined)
          .map((itemIdentifier) => ({ itemIdentifier })),
      };
    },
  );
}
