import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ApiKeyRecord, KeyStore } from '../../core/jobs/ports.ts';
import { WEBHOOK_SECRET_PREFIX } from '../../core/webhooks/webhook-settings.ts';
import { toAwsCutoutError } from './aws-errors.ts';

const keyItemSchema = z.object({
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  // Items written before keys could expire, be revoked or carry limits have none of these.
  expiresAt: z.string().optional(),
  revokedAt: z.string().optional(),
  limits: z
    .object({
      rateLimit: z.number().optional(),
      burstLimit: z.number().optional(),
      dailyQuota: z.number().optional(),
    })
    .optional(),
});

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  const { limits, expiresAt, revokedAt, ...base } = keyItemSchema.parse(item);
  // exactOptionalPropertyTypes: an absent attribute stays absent, not `undefined`.
  return {
    ...base,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(revokedAt === undefined ? {} : { revokedAt }),
    ...(limits === undefined ? {} : { limits: withoutUndefined(limits) }),
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The API keys table behind the KeyStore port. Items hold the hash, never the key. */
export class DynamoKeyStore implements KeyStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async put(record: ApiKeyRecord): Promise<void> {
    try {
      await this.#db.send(new PutCommand({ TableName: this.#table, Item: { ...record } }));
    } catch (error) {
      throw toAwsCutoutError(error, 'API key');
    }
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    try {
      const out = await this.#db.send(new GetCommand({ TableName: this.#table, Key: { keyHash } }));
      return out.Item ? toRecord(out.Item) : undefined;
    } catch (error) {
      throw toAwsCutoutError(error, 'API key');
    }
  }

  async list(): Promise<ApiKeyRecord[]> {
    const records = await this.#scanAll();
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async #scanAll(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.#db.send(
          new ScanCommand({
            TableName: this.#table,
            // The table also holds each key's webhook signing secret, under its own prefix.
            FilterExpression: 'NOT begins_with(keyHash, :secret)',
            ExpressionAttributeValues: { ':secret': WEBHOOK_SECRET_PREFIX },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        records.push(...(page.Items ?? []).map(toRecord));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw toAwsCutoutError(error, 'API keys');
    }
    return records;
  }

  async revoke(keyId: string, revokedAt: string): Promise<ApiKeyRecord | undefined> {
    // The table is keyed by hash; an id is a prefix of it, so the hash is found in the list
    // (an operator's command on a table of a few keys, not a request path).
    const record = (await this.#scanAll()).find((r) => r.keyId === keyId);
    if (!record) return undefined;
    try {
      const out = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { keyHash: record.keyHash },
          // The first revocation's time stands; the item must still exist.
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(keyHash)',
          ExpressionAttributeValues: { ':at': revokedAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toRecord(out.Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw toAwsCutoutError(error, 'API key');
    }
  }
}
