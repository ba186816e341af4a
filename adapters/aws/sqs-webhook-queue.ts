import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookQueue } from '../../core/webhooks/ports.ts';
import { type WebhookMessage, webhookMessageSchema } from '../../core/webhooks/webhook-message.ts';
import { toAwsCutoutError } from './aws-errors.ts';

/** The webhooks SQS queue behind the WebhookQueue port. */
export class SqsWebhookQueue implements WebhookQueue {
  readonly #sqs: SQSClient;
  readonly #url: string;

  constructor(sqs: SQSClient, url: string) {
    this.#sqs = sqs;
    this.#url = url;
  }

  async send(message: WebhookMessage): Promise<void> {
    const body = JSON.stringify(webhookMessageSchema.parse(message));
    try {
      await this.#sqs.send(new SendMessageCommand({ QueueUrl: this.#url, MessageBody: body }));
    } catch (error) {
      throw toAwsCutoutError(error, 'webhooks queue');
    }
  }
}
