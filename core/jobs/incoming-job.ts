import { createHash } from 'node:crypto';
import { isCutoutError, toCutoutError } from '../errors.ts';
import { type ConvertOptions, parseConvertOptions } from '../params/convert-params.ts';
import { outputExtension, outputNames, sanitizeFileName } from './file-names.ts';
import { fileIdFor, type JobRecord, newFileRecord } from './job.ts';
import { DEFAULT_JOB_LIMITS } from './job-limits.ts';
import type { MarkUploadedDeps, MarkUploadedOutcome, UploadedObject } from './mark-uploaded.ts';
import { acceptedContentType } from './media-types.ts';
import { incomingResultPrefix } from './object-keys.ts';
import { systemClock } from './ports.ts';

/**
 * An object dropped under `incoming/` is a job of its own: options from the object's metadata,
 * the result under `results/<path>` in the outputs bucket.
 */

/** A uuid (version 4 layout) derived from the object, so redelivered events agree on it. */
export function incomingJobId(object: UploadedObject): string {
  const hex = createHash('sha256')
    .update(`${object.bucket}\n${object.key}\n${object.eTag ?? object.sequencer ?? ''}`)
    .digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Object metadata as request fields: `convert-to` and `convert_to` both name `convert_to`. */
function metadataFields(metadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).map(([key, value]) => [key.toLowerCase().replaceAll('-', '_'), value]),
  );
}

export async function createIncomingJob(
  object: UploadedObject,
  deps: MarkUploadedDeps,
): Promise<MarkUploadedOutcome> {
  const limits = { ...DEFAULT_JOB_LIMITS, ...deps.limits };
  const head = await deps.inputs.head(object.key);
  if (!head) return { outcome: 'ignored', reason: `${object.key} no longer exists` };
  const now = (deps.clock ?? systemClock).now();
  const jobId = incomingJobId({ ...object, eTag: object.eTag ?? head.eTag });
  const name = sanitizeFileName(object.key.slice(object.key.lastIndexOf('/') + 1));
  const fields = metadataFields(head.metadata);
  const guessed = (head.contentType ?? '').startsWith('video/')
    ? 'video-backgroundremover'
    : 'image-backgroundremover';
  if (!fields.convert_to) fields.convert_to = guessed;

  let options: ConvertOptions | undefined;
  let problem: string | undefined;
  let contentType = head.contentType;
  try {
    options = parseConvertOptions(fields);
    contentType = acceptedContentType('incoming', name, head.contentType, options.kind);
    if (options.kind === 'image' && options.background.type === 'image') {
      problem = 'bg_type=image is not available for incoming/ objects';
    }
  } catch (error) {
    if (!isCutoutError(error)) throw error;
    problem = toCutoutError(error).message;
  }
  const effective = options ?? parseConvertOptions({ convert_to: guessed });
  const outName = outputNames([name], outputExtension(effective))[0] ?? `${name}.out`;
  const createdAt = new Date(now).toISOString();
  const expiresAt = Math.floor(now / 1000) + limits.ttlDays * 86_400;
  const fileId = fileIdFor(0);
  const file = newFileRecord({
    jobId,
    fileId,
    inputName: name,
    outputName: outName,
    inputKey: object.key,
    outputKey: `${incomingResultPrefix(object.key)}${outName}`,
    contentType,
    size: head.size,
    status: problem ? 'failed' : 'queued',
    error: problem,
    createdAt,
    expiresAt,
  });
  const job: JobRecord = {
    jobId,
    kind: effective.kind,
    source: 'incoming',
    options: effective,
    apiKeyId: undefined,
    fileCount: 1,
    backgroundKey: undefined,
    errors: problem ? [`${name}: ${problem}`] : [],
    createdAt,
    expiresAt,
  };
  const created = await deps.repo.createJob(job, [file]);
  if (problem) return { outcome: 'failed', jobId, reason: problem };
  if (!created) {
    const existing = await deps.repo.getFile(jobId, fileId);
    if (existing?.status !== 'queued') {
      return { outcome: 'ignored', reason: `incoming job ${jobId} is already ${existing?.status}` };
    }
  }
  await deps.queue.send({ v: 1, jobId, fileId, kind: effective.kind });
  return { outcome: 'queued', jobId, fileId };
}
