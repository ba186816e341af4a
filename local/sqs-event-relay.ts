import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';
import { lambdaContext } from '../adapters/http/proxy-event.ts';

/**
 * What Lambda's SQS event source does on AWS, for the local stack: pollers receive messages
 * and hand them to the same handler as an SQS event. A message is deleted once the handler
 * took it (not listed in batchItemFailures); a listed one stays in flight, hidden as the
 * handler set it or until the queue's visibility timeout brings it back, as on AWS. Several
 * pollers per queue let one slow message (a receiver that never answers) hold only its poller.
 */

export type SqsLambdaHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined>;

export interface SqsEventRelayOptions {
  readonly sqs: SQSClient;
  readonly region: string;
  /** Each queue's URL and its ARN (the event's `eventSourceARN`). */
  readonly queues: readonly { readonly url: string; readonly arn: string }[];
  readonly handler: SqsLambdaHandler;
  /** The function's name and timeout, as its Lambda context reports them. */
  readonly functionName: string;
  readonly timeoutMs: number;
  readonly batchSize: number;
  readonly pollersPerQueue?: number;
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: Error) => void;
}

export interface SqsEventRelay {
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

export function startSqsEventRelay(options: SqsEventRelayOptions): SqsEventRelay {
  let stopped = false;
  const pollers = options.queues.flatMap((queue) =>
    Array.from({ length: options.pollersPerQueue ?? 1 }, () => queue),
  );
  const consumers = pollers.map(({ url, arn }) => {
    const consumer = Consumer.create({
      queueUrl: url,
      sqs: options.sqs,
      batchSize: options.batchSize,
      waitTimeSeconds: options.waitTimeSeconds ?? 20,
      messageSystemAttributeNames: ['All'],
      handleMessageBatch: async (messages) => {
        const response = await options.handler(
          { Records: messages.map((m) => toRecord(m, arn, options.region)) },
          lambdaContext(options.functionName, options.timeoutMs),
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
