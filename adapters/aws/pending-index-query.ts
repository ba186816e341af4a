import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { toAwsCutoutError } from './aws-errors.ts';
import { PENDING_INDEX } from './table-keys.ts';

/**
 * The items of one pending-index partition whose clock is at or before `before`, oldest first,
 * at most `limit` kept (`keep` maps an item to what the caller wants, or undefined to skip it).
 * The index is eventually consistent: callers re-read an item before acting on it.
 */
export async function queryPendingIndex<T>(
  db: DynamoDBDocumentClient,
  table: string,
  partition: string,
  window: { readonly before: number; readonly limit: number },
  keep: (item: Record<string, unknown>) => T | undefined,
): Promise<T[]> {
  const found: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  try {
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: PENDING_INDEX.name,
          KeyConditionExpression: '#p = :p AND #s <= :before',
          ExpressionAttributeNames: {
            '#p': PENDING_INDEX.partitionKey.name,
            '#s': PENDING_INDEX.sortKey.name,
          },
          ExpressionAttributeValues: { ':p': partition, ':before': window.before },
          Limit: window.limit - found.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const kept = keep(item);
        if (kept !== undefined) found.push(kept);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && found.length < window.limit);
  } catch (error) {
    throw toAwsCutoutError(error, `pending index ${partition}`);
  }
  return found;
}
