import { type DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookSecretAdmin } from '../../core/webhooks/ports.ts';
import { generateWebhookSecret } from '../../core/webhooks/webhook-signature.ts';
import { isConditionFailed, toAwsCutoutError } from './aws-errors.ts';

/**
 * Each API key's webhook signing secret, an attribute of the key's item in the keys table
 * (`webhookSecret`; the key itself is stored only as a hash, but a signing secret must be
 * readable to sign). A key made before webhooks existed gets one on first use: the write is
 * `if_not_exists`, so two callers racing for it both end up with the one that landed first.
 */
export class DynamoWebhookSecrets implements WebhookSecretAdmin {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #generate: () => string;

  constructor(db: DynamoDBDocumentClient, tableName: string, generate = generateWebhookSecret) {
    this.#db = db;
    this.#table = tableName;
    this.#generate = generate;
  }

  /** The key's secret, made now if it has none. @returns undefined when no key has the id */
  async secretFor(keyId: string): Promise<string | undefined> {
    const item = await this.#findById(keyId);
    if (!item) return undefined;
    if (typeof item.webhookSecret === 'string') return item.webhookSecret;
    return this.#write(item.keyHash, 'if_not_exists(webhookSecret, :s)');
  }

  /** Replaces the key's secret with a new one (events signed from now on use it). */
  async rotate(keyId: string): Promise<string | undefined> {
    const item = await this.#findById(keyId);
    if (!item) return undefined;
    return this.#write(item.keyHash, ':s');
  }

  async #write(keyHash: string, value: string): Promise<string | undefined> {
    try {
      const out = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { keyHash },
          UpdateExpression: `SET webhookSecret = ${value}`,
          ConditionExpression: 'attribute_exists(keyHash)',
          ExpressionAttributeValues: { ':s': this.#generate() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const secret = out.Attributes?.webhookSecret;
      return typeof secret === 'string' ? secret : undefined;
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw toAwsCutoutError(error, 'webhook signing secret');
    }
  }

  /** The table is keyed by hash; an id is found by a filtered scan (a table of a few keys). */
  async #findById(
    keyId: string,
  ): Promise<{ keyHash: string; webhookSecret?: unknown } | undefined> {
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.#db.send(
          new ScanCommand({
            TableName: this.#table,
            FilterExpression: 'keyId = :id',
            ExpressionAttributeValues: { ':id': keyId },
            ProjectionExpression: 'keyHash, webhookSecret',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        const hit = page.Items?.[0];
        if (hit && typeof hit.keyHash === 'string') {
          return { keyHash: hit.keyHash, webhookSecret: hit.webhookSecret };
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw toAwsCutoutError(error, 'API keys');
    }
    return undefined;
  }
}
