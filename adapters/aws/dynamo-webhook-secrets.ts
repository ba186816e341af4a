import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookSecretAdmin, WebhookSecrets } from '../../core/webhooks/ports.ts';
import { WEBHOOK_SECRET_PREFIX } from '../../core/webhooks/webhook-settings.ts';
import { generateWebhookSecret } from '../../core/webhooks/webhook-signature.ts';
import { isConditionFailed, toAwsCutoutError } from './aws-errors.ts';

/**
 * Each API key's webhook signing secret, as its own item in the keys table under the partition
 * key `webhook-secret#<keyId>`. The key items are keyed by the key's hash, which a job does not
 * record; keying the secret by id lets the delivery Lambda read it with one GetItem, and lets
 * its IAM policy be limited to these items (`dynamodb:LeadingKeys`), so it can neither list the
 * keys nor touch a key's revocation or expiry.
 */
const secretKey = (keyId: string) => ({ keyHash: `${WEBHOOK_SECRET_PREFIX}${keyId}` });

/** The delivery side: reads a key's secret, making one on first use (racers agree on it). */
export class DynamoWebhookSecrets implements WebhookSecrets {
  protected readonly db: DynamoDBDocumentClient;
  protected readonly table: string;
  protected readonly generate: () => string;

  constructor(db: DynamoDBDocumentClient, tableName: string, generate = generateWebhookSecret) {
    this.db = db;
    this.table = tableName;
    this.generate = generate;
  }

  async secretFor(keyId: string): Promise<string | undefined> {
    return (await this.read(keyId)) ?? this.write(keyId, false);
  }

  protected async read(keyId: string): Promise<string | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({ TableName: this.table, Key: secretKey(keyId), ConsistentRead: true }),
      );
      const secret = out.Item?.webhookSecret;
      return typeof secret === 'string' ? secret : undefined;
    } catch (error) {
      throw toAwsCutoutError(error, 'webhook signing secret');
    }
  }

  /** Writes a new secret: only if none exists (first use), or unconditionally (rotation). */
  protected async write(keyId: string, replace: boolean): Promise<string | undefined> {
    const secret = this.generate();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...secretKey(keyId), keyId, webhookSecret: secret },
          ...(replace ? {} : { ConditionExpression: 'attribute_not_exists(keyHash)' }),
        }),
      );
      return secret;
    } catch (error) {
      // Another caller made it first: theirs stands.
      if (isConditionFailed(error)) return this.read(keyId);
      throw toAwsCutoutError(error, 'webhook signing secret');
    }
  }
}

/**
 * The operator's side (`cutout keys webhook-secret`): the same items, but only for a key that
 * exists, found by id in the key items (a Scan, an operator's command on a table of a few keys).
 */
export class DynamoWebhookSecretAdmin extends DynamoWebhookSecrets implements WebhookSecretAdmin {
  override async secretFor(keyId: string): Promise<string | undefined> {
    return (await this.#keyExists(keyId)) ? super.secretFor(keyId) : undefined;
  }

  async rotate(keyId: string): Promise<string | undefined> {
    return (await this.#keyExists(keyId)) ? this.write(keyId, true) : undefined;
  }

  async #keyExists(keyId: string): Promise<boolean> {
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.db.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: 'keyId = :id AND NOT begins_with(keyHash, :secret)',
            ExpressionAttributeValues: { ':id': keyId, ':secret': WEBHOOK_SECRET_PREFIX },
            ProjectionExpression: 'keyHash',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        if ((page.Items ?? []).length > 0) return true;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw toAwsCutoutError(error, 'API keys');
    }
    return false;
  }
}
