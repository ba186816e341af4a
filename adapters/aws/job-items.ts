import { z } from 'zod';
import { FILE_STATUSES, type FileRecord, type JobRecord } from '../../core/jobs/job.ts';
import { initialPendingSince, PENDING_STATUSES } from '../../core/jobs/pending-files.ts';
import type { PendingFile } from '../../core/jobs/ports.ts';
import type { ConvertOptions } from '../../core/params/convert-params.ts';
import { webhookConfigSchema, webhookStateSchema } from '../../core/webhooks/webhook-model.ts';
import {
  FILE_SORT_KEY_PREFIX,
  INCOMING_KEY_PREFIX,
  INCOMING_SORT_KEY,
  JOB_SORT_KEY,
  PENDING_INDEX,
  PENDING_SHARDS,
} from './table-keys.ts';

/**
 * Job and file records as DynamoDB items (pk = job uuid, sk = `JOB` | `FILE#<fileId>`), and
 * back through a schema: a malformed item fails loudly instead of spreading.
 */

const optionalString = z.string().optional();

const fileItemSchema = z.object({
  pk: z.string(),
  sk: z.string().startsWith(FILE_SORT_KEY_PREFIX),
  fileId: z.string(),
  inputName: z.string(),
  sourceUrl: optionalString,
  outputName: z.string(),
  inputKey: z.string(),
  outputKey: z.string(),
  contentType: optionalString,
  size: z.number().optional(),
  status: z.enum(FILE_STATUSES),
  progress: z.number(),
  attempts: z.number(),
  leaseUntil: z.number(),
  leaseToken: optionalString,
  error: optionalString,
  lastError: optionalString,
  modelId: optionalString,
  outputContentType: optionalString,
  outputSize: z.number().optional(),
  outputGeometry: z
    .object({
      width: z.number(),
      height: z.number(),
      bbox: z
        .object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() })
        .nullable(),
    })
    .optional(),
  warnings: z.array(z.string()).default([]),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.number(),
});

const jobItemSchema = z.object({
  pk: z.string(),
  sk: z.literal(JOB_SORT_KEY),
  kind: z.enum(['image', 'video']),
  source: z.enum(['api', 'incoming']),
  // Written from a parsed ConvertOptions by this module; its shape is owned by convert-params.
  options: z.looseObject({ kind: z.enum(['image', 'video']) }),
  apiKeyId: optionalString,
  fileCount: z.number(),
  backgroundKey: optionalString,
  errors: z.array(z.string()).default([]),
  createdAt: z.string(),
  expiresAt: z.number(),
  webhook: webhookConfigSchema.optional(),
  webhookState: webhookStateSchema.optional(),
});

export function fileSortKey(fileId: string): string {
  return `${FILE_SORT_KEY_PREFIX}${fileId}`;
}

/**
 * A job with a job.finished webhook enters the pending index under `webhook#<shard>` from its
 * creation, so the reconciler finds it should the event's claim or send be lost
 * (adapters/aws/dynamo-webhook-store.ts keeps it there until the event is settled).
 */
export const WEBHOOK_PENDING_STATUS = 'webhook';

export function jobToItem(job: JobRecord): Record<string, unknown> {
  const { jobId, webhook, webhookState, ...rest } = job;
  const watched = webhook?.events.includes('job.finished') && webhookState === undefined;
  return {
    pk: jobId,
    sk: JOB_SORT_KEY,
    ...rest,
    ...(webhook ? { webhook: { url: webhook.url, events: [...webhook.events] } } : {}),
    ...(webhookState ? { webhookState } : {}),
    ...(watched
      ? {
          [PENDING_INDEX.partitionKey.name]: pendingKey(jobId, WEBHOOK_PENDING_STATUS),
          [PENDING_INDEX.sortKey.name]: Date.parse(job.createdAt),
        }
      : {}),
  };
}

/** The pending index's partition for a file: its status and a shard picked from its job uuid. */
export function pendingKey(jobId: string, status: string): string {
  let hash = 0;
  for (const char of jobId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `${status}#${hash % PENDING_SHARDS}`;
}

export function pendingPartitions(status: string): string[] {
  return Array.from({ length: PENDING_SHARDS }, (_, shard) => `${status}#${shard}`);
}

export function fileToItem(file: FileRecord): Record<string, unknown> {
  const { jobId, ...rest } = file;
  const since = initialPendingSince(file);
  return {
    pk: jobId,
    sk: fileSortKey(file.fileId),
    ...rest,
    ...(since === undefined
      ? {}
      : {
          [PENDING_INDEX.partitionKey.name]: pendingKey(jobId, file.status),
          [PENDING_INDEX.sortKey.name]: since,
        }),
  };
}

const pendingItemSchema = z.object({
  pk: z.string(),
  sk: z.string().startsWith(FILE_SORT_KEY_PREFIX),
  status: z.enum(PENDING_STATUSES),
  pendingSince: z.number(),
  requeues: z.number().default(0),
});

/** An item read from the pending index (its projection), as the port's candidate. */
export function itemToPendingFile(item: Record<string, unknown>): PendingFile {
  const p = pendingItemSchema.parse(item);
  return {
    jobId: p.pk,
    fileId: p.sk.slice(FILE_SORT_KEY_PREFIX.length),
    status: p.status,
    pendingSince: p.pendingSince,
    requeues: p.requeues,
  };
}

export function incomingKey(objectHash: string): { pk: string; sk: string } {
  return { pk: `${INCOMING_KEY_PREFIX}${objectHash}`, sk: INCOMING_SORT_KEY };
}

export function isJobItem(item: Record<string, unknown>): boolean {
  return item.sk === JOB_SORT_KEY;
}

export function itemToJob(item: Record<string, unknown>): JobRecord {
  const p = jobItemSchema.parse(item);
  return {
    jobId: p.pk,
    kind: p.kind,
    source: p.source,
    options: p.options as unknown as ConvertOptions,
    apiKeyId: p.apiKeyId,
    fileCount: p.fileCount,
    backgroundKey: p.backgroundKey,
    errors: p.errors,
    createdAt: p.createdAt,
    expiresAt: p.expiresAt,
    ...(p.webhook ? { webhook: p.webhook } : {}),
    ...(p.webhookState ? { webhookState: stripUndefined(p.webhookState) } : {}),
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function itemToFile(item: Record<string, unknown>): FileRecord {
  const { pk, sk: _sk, ...p } = fileItemSchema.parse(item);
  return {
    jobId: pk,
    ...p,
    contentType: p.contentType,
    size: p.size,
    leaseToken: p.leaseToken,
    error: p.error,
    lastError: p.lastError,
    modelId: p.modelId,
    outputContentType: p.outputContentType,
    outputSize: p.outputSize,
    outputGeometry: p.outputGeometry,
  };
}
