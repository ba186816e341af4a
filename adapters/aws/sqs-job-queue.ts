import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type JobMessage, jobMessageSchema } from '../../core/jobs/job-message.ts';
import type { JobQueue } from '../../core/jobs/ports.ts';
import { toAwsCutoutError } from './aws-errors.ts';

/** The image and video SQS queues behind the JobQueue port; the message's kind picks the queue. */
export class SqsJobQueue implements JobQueue {
  readonly #sqs: SQSClient;
  readonly #urls: { readonly image: string; readonly video: string };

  constructor(sqs: SQSClient, urls: { image: string; video: string }) {
    this.#sqs = sqs;
    this.#urls = urls;
  }

  async send(message: JobMessage): Promise<void> {
    const body = JSON.stringify(jobMessageSchema.parse(message));
    try {
      await this.#sqs.send(
        new SendMessageCommand({ QueueUrl: this.#urls[message.kind], MessageBody: body }),
      );
    } catch (error) {
      throw toAwsCutoutError(error, `${message.kind} queue`);
    }
  }
}
