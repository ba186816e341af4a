import {
  type DynamoDBDocumentClient,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { WebhookStore } from '../../core/webhooks/ports.ts';
import { isFinalState, type WebhookState } from '../../core/webhooks/webhook-model.ts';
import { isConditionFailed, toAwsCutoutError } from './aws-errors.ts';
import { pendingKey, pendingPartitions, WEBHOOK_PENDING_STATUS } from './job-items.ts';
import { queryPendingIndex } from './pending-index-query.ts';
import { JOB_SORT_KEY, PENDING_INDEX } from './table-keys.ts';

/**
 * The job.finished event's state on the job item, behind the WebhookStore port: every write is
 * one conditional UpdateItem on that item. A job waiting for its event sits in the pending index
 * under `webhook#<shard>` (set at creation by jobToItem) until the event is settled.
 */
export class DynamoWebhookStore implements WebhookStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async claim(jobId: string, now: number): Promise<boolean> {
    const state: WebhookState = { state: 'queued', claimedAt: now, updatedAt: now, attempts: 0 };
    return this.#update(jobId, {
      UpdateExpression: 'SET #ws = :ws, #pk2 = :pk2, #ps = :ps',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#ws)',
      ExpressionAttributeNames: { ...INDEX_NAMES, '#pk': 'pk', '#ws': 'webhookState' },
      ExpressionAttributeValues: {
        ':ws': state,
        ':pk2': pendingKey(jobId, WEBHOOK_PENDING_STATUS),
        ':ps': now,
      },
    });
  }

  async record(jobId: string, state: WebhookState): Promise<boolean> {
    const names = { '#pk': 'pk', '#ws': 'webhookState', '#st': 'state' };
    const values = { ':ws': stripUndefined(state), ':delivered': 'delivered', ':failed': 'failed' };
    const condition =
      'attribute_exists(#pk) AND (attribute_not_exists(#ws) OR NOT (#ws.#st IN (:delivered, :failed)))';
    if (isFinalState(state)) {
      return this.#update(jobId, {
        UpdateExpression: 'SET #ws = :ws REMOVE #pk2, #ps',
        ConditionExpression: condition,
        ExpressionAttributeNames: { ...names, ...INDEX_NAMES },
        ExpressionAttributeValues: values,
      });
    }
    return this.#update(jobId, {
      UpdateExpression: 'SET #ws = :ws, #ps = :ps',
      ConditionExpression: `${condition} AND attribute_exists(#pk2)`,
      ExpressionAttributeNames: { ...names, ...INDEX_NAMES },
      ExpressionAttributeValues: { ...values, ':ps': state.nextAttemptAt ?? state.updatedAt },
    });
  }

  async postpone(jobId: string, at: number, touchedAt?: number): Promise<void> {
    await this.#update(jobId, {
      UpdateExpression:
        touchedAt === undefined ? 'SET #ps = :ps' : 'SET #ps = :ps, #ws.#ua = :touched',
      ConditionExpression:
        touchedAt === undefined
          ? 'attribute_exists(#pk2)'
          : 'attribute_exists(#pk2) AND attribute_exists(#ws)',
      ExpressionAttributeNames: {
        ...INDEX_NAMES,
        ...(touchedAt === undefined ? {} : { '#ws': 'webhookState', '#ua': 'updatedAt' }),
      },
      ExpressionAttributeValues: {
        ':ps': at,
        ...(touchedAt === undefined ? {} : { ':touched': touchedAt }),
      },
    });
  }

  async settle(jobId: string): Promise<void> {
    await this.#update(jobId, {
      UpdateExpression: 'REMOVE #pk2, #ps',
      ConditionExpression: 'attribute_exists(#pk2)',
      ExpressionAttributeNames: INDEX_NAMES,
    });
  }

  async listDue(before: number, limit: number): Promise<string[]> {
    const perShard = await Promise.all(
      pendingPartitions(WEBHOOK_PENDING_STATUS).map((partition) =>
        this.#queryDue(partition, before, limit),
      ),
    );
    return perShard
      .flat()
      .sort((a, b) => a.since - b.since)
      .slice(0, limit)
      .map((due) => due.jobId);
  }

  #queryDue(
    partition: string,
    before: number,
    limit: number,
  ): Promise<{ jobId: string; since: number }[]> {
    return queryPendingIndex(this.#db, this.#table, partition, { before, limit }, (item) =>
      item.sk === JOB_SORT_KEY && typeof item.pk === 'string'
        ? { jobId: item.pk, since: Number(item[PENDING_INDEX.sortKey.name]) }
        : undefined,
    );
  }

  async #update(
    jobId: string,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
  ): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: jobId, sk: JOB_SORT_KEY },
          ...input,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw toAwsCutoutError(error, `webhook state of job ${jobId}`);
    }
  }
}

const INDEX_NAMES = {
  '#pk2': PENDING_INDEX.partitionKey.name,
  '#ps': PENDING_INDEX.sortKey.name,
} as const;

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
