import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';
import { lambdaContext } from '../adapters/http/proxy-event.ts';

/**
 * On AWS the webhooks queue is the event source of the delivery Lambda, which runs as many
 * copies as messages wait. Locally `concurrency` pollers take one message each and hand it to
 * the same handler as an SQS event, so a receiver that never answers holds one poller for its
 * timeout while the others go on delivering. A record the handler lists in batchItemFailures
 * stays in flight, hidden as the handler set it (the retry's wait), as on AWS.
 */

export type WebhookHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined>;

export interface WebhookRelayOptions {
  readonly sqs: SQSClient;
  readonly region: string;
  readonly queue: { readonly url: string; readonly arn: string };
  readonly handler: WebhookHandler;
  readonly concurrency?: number;
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: Error) => void;
}

export interface WebhookRelay {
  stop(): void;
}

function toRecord(message: Message, arn: string, region: string): SQSEvent['Records'][number] {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'cutout-local',
      ApproximateFirstReceiveTimestamp:
        attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: region,
  };
}

export function startWebhookRelay(options: WebhookRelayOptions): WebhookRelay {
  let stopped = false;
  const { url, arn } = options.queue;
  const consumers = Array.from({ length: options.concurrency ?? 4 }, () => {
    const consumer = Consumer.create({
      queueUrl: url,
      sqs: options.sqs,
      batchSize: 1,
      waitTimeSeconds: options.waitTimeSeconds ?? 20,
      messageSystemAttributeNames: ['All'],
      handleMessageBatch: async (messages) => {
        const response = await options.handler(
          { Records: messages.map((m) => toRecord(m, arn, options.region)) },
          lambdaContext('cutout-deliver-webhook', 30_000),
        );
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        return messages.filter((m) => !failed.has(m.MessageId ?? ''));
      },
    });
    consumer.on('error', (error) => {
      if (!stopped) options.onError?.(error);
    });
    consumer.on('processing_error', (error) => options.onError?.(error));
    consumer.start();
    return consumer;
  });
  return {
    stop: () => {
      stopped = true;
      for (const c of consumers) c.stop({ abort: true });
    },
  };
}
