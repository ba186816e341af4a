import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';
import { lambdaContext } from '../adapters/http/proxy-event.ts';

/**
 * On AWS each dead-letter queue is an event source of the on-dead-letter Lambda. Locally this
 * polls the dead-letter queues and hands their messages to the same handler as SQS events;
 * a message is deleted once the handler took it (not listed in batchItemFailures). A listed one
 * stays in flight: the handler has hidden it until it wants to look again (a file still under
 * a live lease), or the queue's visibility timeout brings it back, as on AWS.
 */

export type DeadLetterHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined>;

export interface DeadLetterRelayOptions {
  readonly sqs: SQSClient;
  readonly region: string;
  /** Queue URL -> its ARN (the event's `eventSourceARN`). */
  readonly queues: readonly { readonly url: string; readonly arn: string }[];
  readonly handler: DeadLetterHandler;
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: Error) => void;
}

export interface DeadLetterRelay {
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

export function startDeadLetterRelay(options: DeadLetterRelayOptions): DeadLetterRelay {
  let stopped = false;
  const consumers = options.queues.map(({ url, arn }) => {
    const consumer = Consumer.create({
      queueUrl: url,
      sqs: options.sqs,
      batchSize: 10,
      waitTimeSeconds: options.waitTimeSeconds ?? 20,
      messageSystemAttributeNames: ['All'],
      handleMessageBatch: async (messages) => {
        const response = await options.handler(
          { Records: messages.map((m) => toRecord(m, arn, options.region)) },
          lambdaContext('cutout-on-dead-letter', 60_000),
        );
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        return messages.filter((m) => !failed.has(m.MessageId ?? ''));
      },
    });
    consumer.on('error', (error) => {
      // After stop() the only errors are the aborted long polls.
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
