import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CutoutError } from '../../core/errors.ts';
import type { FileRecord, JobRecord } from '../../core/jobs/job.ts';
import { isPending, pendingSinceAfter } from '../../core/jobs/pending-files.ts';
import type {
  FileUpdate,
  JobRepository,
  PendingFile,
  PendingQuery,
} from '../../core/jobs/ports.ts';
import { isConditionFailed, toAwsCutoutError } from './aws-errors.ts';
import {
  fileSortKey,
  fileToItem,
  incomingKey,
  isJobItem,
  itemToFile,
  itemToJob,
  itemToPendingFile,
  jobToItem,
  pendingKey,
  pendingPartitions,
} from './job-items.ts';
import { queryPendingIndex } from './pending-index-query.ts';
import { PENDING_INDEX } from './table-keys.ts';

const WRITE_CONCURRENCY = 16;

/** Build a conditional UpdateItem for a FileUpdate; every name goes through a placeholder. */
export function fileUpdateExpression(update: FileUpdate) {
  const names: Record<string, string> = { '#s': 'status', '#pk': 'pk' };
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  let i = 0;
  for (const [attribute, value] of Object.entries(update.set)) {
    if (value === undefined || attribute === PENDING_INDEX.sortKey.name) continue;
    names[`#a${i}`] = attribute;
    values[`:a${i}`] = value;
    sets.push(`#a${i} = :a${i}`);
    i++;
  }
  const from = update.from.map((status, j) => {
    values[`:from${j}`] = status;
    return `:from${j}`;
  });
  const conditions = ['attribute_exists(#pk)', `#s IN (${from.join(', ')})`];
  if (update.leaseToken !== undefined) {
    names['#lt'] = 'leaseToken';
    values[':lt'] = update.leaseToken;
    conditions.push('#lt = :lt');
  }
  if (update.leaseExpiredAt !== undefined) {
    names['#lu'] = 'leaseUntil';
    values[':running'] = 'running';
    values[':expired'] = update.leaseExpiredAt;
    conditions.push('(#s <> :running OR #lu <= :expired)');
  }
  // The pending index follows the status: in it while waiting_upload/queued, out once running or finished.
  const removes: string[] = [];
  const since = pendingSinceAfter(update);
  if (since !== undefined) {
    // DynamoDB refuses placeholders an expression does not use: name each only where it is.
    names['#ps'] = PENDING_INDEX.sortKey.name;
    const status = update.set.status;
    if (since === null) {
      names['#pk2'] = PENDING_INDEX.partitionKey.name;
      removes.push('#pk2', '#ps');
    } else {
      values[':ps'] = since;
      sets.push('#ps = :ps');
      if (status !== undefined && isPending(status)) {
        names['#pk2'] = PENDING_INDEX.partitionKey.name;
        values[':pk2'] = pendingKey(update.jobId, status);
        sets.push('#pk2 = :pk2');
      }
    }
  }
  let expression = `SET ${sets.join(', ')}`;
  if (removes.length > 0) expression += ` REMOVE ${removes.join(', ')}`;
  if (update.incrementAttempts) {
    names['#att'] = 'attempts';
    values[':one'] = 1;
    expression += ' ADD #att :one';
  }
  return {
    UpdateExpression: expression,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The jobs table behind the JobRepository port: single-item conditional writes only. */
export class DynamoJobRepository implements JobRepository {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async createJob(job: JobRecord, files: readonly FileRecord[]): Promise<boolean> {
    const created = await this.#putIfAbsent(jobToItem(job), `job ${job.jobId}`);
    // Files too are put only if absent: a retried creation never resets a file's progress.
    for (let start = 0; start < files.length; start += WRITE_CONCURRENCY) {
      await Promise.all(
        files
          .slice(start, start + WRITE_CONCURRENCY)
          .map((file) => this.#putIfAbsent(fileToItem(file), `file ${file.jobId}/${file.fileId}`)),
      );
    }
    return created;
  }

  async getJob(jobId: string): Promise<{ job: JobRecord; files: FileRecord[] } | undefined> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.#db.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': jobId },
            ConsistentRead: true,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw toAwsCutoutError(error, `job ${jobId}`);
    }
    const jobItem = items.find(isJobItem);
    if (!jobItem) return undefined;
    return {
      job: itemToJob(jobItem),
      files: items.filter((item) => !isJobItem(item)).map(itemToFile),
    };
  }

  async getFile(jobId: string, fileId: string): Promise<FileRecord | undefined> {
    try {
      const out = await this.#db.send(
        new GetCommand({
          TableName: this.#table,
          Key: { pk: jobId, sk: fileSortKey(fileId) },
          ConsistentRead: true,
        }),
      );
      return out.Item ? itemToFile(out.Item) : undefined;
    } catch (error) {
      throw toAwsCutoutError(error, `file ${jobId}/${fileId}`);
    }
  }

  async updateFile(update: FileUpdate): Promise<FileRecord | undefined> {
    try {
      const out = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: update.jobId, sk: fileSortKey(update.fileId) },
          ...fileUpdateExpression(update),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? itemToFile(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw toAwsCutoutError(error, `file ${update.jobId}/${update.fileId}`);
    }
  }

  async listPendingFiles(query: PendingQuery): Promise<PendingFile[]> {
    const perShard = await Promise.all(
      pendingPartitions(query.status).map((partition) => this.#queryPending(partition, query)),
    );
    return perShard
      .flat()
      .sort((a, b) => a.pendingSince - b.pendingSince)
      .slice(0, query.limit);
  }

  async recordIncomingJob(objectHash: string, jobId: string, expiresAt: number): Promise<string> {
    const key = incomingKey(objectHash);
    if (await this.#putIfAbsent({ ...key, jobId, expiresAt }, `incoming object ${objectHash}`)) {
      return jobId;
    }
    try {
      const out = await this.#db.send(
        new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
      );
      const recorded = out.Item?.jobId;
      if (typeof recorded !== 'string') {
        throw new CutoutError('INTERNAL', `incoming record ${objectHash} has no job id`);
      }
      return recorded;
    } catch (error) {
      throw toAwsCutoutError(error, `incoming object ${objectHash}`);
    }
  }

  #queryPending(partition: string, query: PendingQuery): Promise<PendingFile[]> {
    return queryPendingIndex(this.#db, this.#table, partition, query, itemToPendingFile);
  }

  async #putIfAbsent(item: Record<string, unknown>, what: string): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw toAwsCutoutError(error, what);
    }
  }
}
