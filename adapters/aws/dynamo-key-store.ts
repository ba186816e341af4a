import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ApiKeyRecord, KeyStore } from '../../core/jobs/ports.ts';
import { toAwsCutoutError } from './aws-errors.ts';

const keyItemSchema = z.object({
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string(),
  name: z.string(),
  createdAt: z.string(),
});

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
      return out.Item ? keyItemSchema.parse(out.Item) : undefined;
    } catch (error) {
      throw toAwsCutoutError(error, 'API key');
    }
  }

  async list(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.#db.send(
          new ScanCommand({
            TableName: this.#table,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        records.push(...(page.Items ?? []).map((item) => keyItemSchema.parse(item)));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw toAwsCutoutError(error, 'API keys');
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
