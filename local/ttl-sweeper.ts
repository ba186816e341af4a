import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  NoSuchUpload,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeleteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { TableDefinition } from '../adapters/aws/table-keys.ts';

/**
 * What DynamoDB TTL and the buckets' lifecycle rules do on AWS, for the local stack (dynalite
 * has no TTL, fauxqs no lifecycle): items whose TTL attribute (`expiresAt`, epoch seconds) has
 * passed are deleted, objects older than the job TTL are deleted (infra/constructs/job-buckets.ts
 * `expire-with-job`), and multipart uploads started more than a day ago are aborted.
 *
 * Only what has expired is touched: a job's objects are younger than the job (written after it
 * was created), so they outlive its items by the same rule AWS applies, and a file still being
 * processed belongs to a job that has not expired.
 */

export interface SweepTarget {
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  /** Physical table names with their definitions; tables without a TTL attribute are skipped. */
  readonly tables: readonly { readonly name: string; readonly definition: TableDefinition }[];
  readonly buckets: readonly string[];
  /** The lifecycle rule's age: objects older than this many days go. */
  readonly objectTtlDays: number;
  /** fauxqs's multipart folder (`<objects>/_multipart`), where uploads in progress are listed. */
  readonly multipartDir?: string;
}

export interface SweepReport {
  readonly items: number;
  readonly objects: number;
  readonly uploads: number;
}

const DAY_MS = 86_400_000;
/** The buckets' `abortIncompleteMultipartUploadAfter`. */
const ABANDONED_UPLOAD_MS = DAY_MS;

/** One pass over everything; `now` is epoch ms (tests pass a clock ahead of the real one). */
export async function sweepExpired(target: SweepTarget, now: number): Promise<SweepReport> {
  let items = 0;
  for (const table of target.tables) items += await sweepTable(target.dynamo, table, now);
  let objects = 0;
  const before = now - target.objectTtlDays * DAY_MS;
  for (const bucket of target.buckets) objects += await sweepBucket(target.s3, bucket, before);
  const uploads = target.multipartDir
    ? await abortAbandonedUploads(target.s3, target.multipartDir, now - ABANDONED_UPLOAD_MS)
    : 0;
  return { items, objects, uploads };
}

async function sweepTable(
  dynamo: DynamoDBDocumentClient,
  table: SweepTarget['tables'][number],
  now: number,
): Promise<number> {
  const ttl = table.definition.timeToLiveAttribute;
  if (!ttl) return 0;
  const keys = [table.definition.partitionKey.name, table.definition.sortKey?.name].filter(
    (k): k is string => k !== undefined,
  );
  const names = Object.fromEntries([ttl, ...keys].map((name, i) => [`#a${i}`, name]));
  const nowSeconds = Math.floor(now / 1000);
  let deleted = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: '#a0 <= :now',
        ProjectionExpression: keys.map((_, i) => `#a${i + 1}`).join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':now': nowSeconds },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const key of page.Items ?? []) {
      try {
        // Conditional: an item rewritten with a later expiry since the scan stays.
        await dynamo.send(
          new DeleteCommand({
            TableName: table.name,
            Key: key,
            ConditionExpression: '#t <= :now',
            ExpressionAttributeNames: { '#t': ttl },
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
        deleted += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return deleted;
}

async function sweepBucket(s3: S3Client, bucket: string, before: number): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    const old = (page.Contents ?? []).filter(
      (o) =>
        o.Key !== undefined && o.LastModified !== undefined && o.LastModified.getTime() <= before,
    );
    if (old.length > 0) {
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: old.map((o) => ({ Key: o.Key })), Quiet: true },
        }),
      );
      deleted += old.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

const uploadRecord = z.object({
  uploadId: z.string(),
  bucket: z.string(),
  key: z.string(),
  initiated: z.iso.datetime({ offset: true }),
});

/** fauxqs has no ListMultipartUploads: its folder lists them, the S3 API aborts them. */
async function abortAbandonedUploads(
  s3: S3Client,
  multipartDir: string,
  before: number,
): Promise<number> {
  const ids = await readdir(multipartDir).catch(() => [] as string[]);
  let aborted = 0;
  for (const id of ids) {
    const text = await readFile(join(multipartDir, id, '.upload.json'), 'utf8').catch(
      () => undefined,
    );
    const record = text === undefined ? undefined : uploadRecord.safeParse(JSON.parse(text));
    if (!record?.success || Date.parse(record.data.initiated) > before) continue;
    try {
      await s3.send(
        new AbortMultipartUploadCommand({
          Bucket: record.data.bucket,
          Key: record.data.key,
          UploadId: record.data.uploadId,
        }),
      );
      aborted += 1;
    } catch (error) {
      // Completed or aborted since the folder was read.
      if (!(error instanceof NoSuchUpload)) throw error;
    }
  }
  return aborted;
}

/** Sweeps every `intervalMs` (0: never) and once soon after start; never two at once. */
export function startSweepTimer(
  sweep: (now: number) => Promise<SweepReport>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { run(now?: number): Promise<SweepReport>; stop(): Promise<void> } {
  let last: Promise<unknown> = Promise.resolve();
  let busy = 0;
  const run = (at?: number) => {
    busy += 1;
    const next = last
      .catch(() => undefined)
      .then(() => sweep(at ?? Date.now()))
      .finally(() => {
        busy -= 1;
      });
    last = next;
    return next;
  };
  const tick = () => {
    if (busy === 0) run().catch(onError);
  };
  const first = intervalMs > 0 ? setTimeout(tick, Math.min(intervalMs, 60_000)).unref() : undefined;
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs).unref() : undefined;
  return {
    run,
    stop: async () => {
      clearTimeout(first);
      clearInterval(timer);
      await last.catch(() => undefined);
    },
  };
}
