import { z } from 'zod';
import { FILE_SORT_KEY_PREFIX, JOB_SORT_KEY } from '../../core/config/tables.ts';
import { FILE_STATUSES, type FileRecord, type JobRecord } from '../../core/jobs/job.ts';
import type { ConvertOptions } from '../../core/params/convert-params.ts';

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
});

export function fileSortKey(fileId: string): string {
  return `${FILE_SORT_KEY_PREFIX}${fileId}`;
}

export function jobToItem(job: JobRecord): Record<string, unknown> {
  const { jobId, ...rest } = job;
  return { pk: jobId, sk: JOB_SORT_KEY, ...rest };
}

export function fileToItem(file: FileRecord): Record<string, unknown> {
  const { jobId, ...rest } = file;
  return { pk: jobId, sk: fileSortKey(file.fileId), ...rest };
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
  };
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
  };
}
