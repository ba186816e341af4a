import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type NotifyFinishedOutcome,
  notifyFileFinished,
} from '../../core/webhooks/notify-finished.ts';
import { DynamoJobRepository } from './dynamo-job-repository.ts';
import { DynamoWebhookStore } from './dynamo-webhook-store.ts';
import { SqsWebhookQueue } from './sqs-webhook-queue.ts';

/** What every place that ends a file calls afterwards (worker, dead-letter handler, reconciler). */
export type FileFinishedNotifier = (
  jobId: string,
  fileId: string | undefined,
) => Promise<NotifyFinishedOutcome>;

export interface WebhookNotifierConfig {
  readonly dynamo: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly jobsTable: string;
  /** Absent: webhooks are not set up here; the reconciler's pass still finds finished jobs. */
  readonly queueUrl: string | undefined;
}

export function webhookNotifier(config: WebhookNotifierConfig): FileFinishedNotifier | undefined {
  if (!config.queueUrl) return undefined;
  const deps = {
    repo: new DynamoJobRepository(config.dynamo, config.jobsTable),
    webhooks: new DynamoWebhookStore(config.dynamo, config.jobsTable),
    queue: new SqsWebhookQueue(config.sqs, config.queueUrl),
  };
  return (jobId, fileId) => notifyFileFinished(jobId, fileId, deps);
}
