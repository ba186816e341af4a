import { createHash, randomUUID } from 'node:crypto';
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

/**
 * What identifies one version of an object across redelivered events: a hash of bucket, key and
 * ETag (or the event's sequencer). It only keys the dedupe record; the job id is random, so
 * knowing an object's key gives no way to its job or results.
 */
export function incomingObjectHash(object: UploadedObject): string {
  // Events carry the ETag bare, HeadObject in quotes: both name the same version.
  const version = object.eTag?.replaceAll('"', '') ?? object.sequencer ?? '';
  return createHash('sha256').update(`${object.bucket}\n${object.key}\n${version}`).digest('hex');
}

export interface IncomingJobDeps extends MarkUploadedDeps {
  /** Job ids for new incoming jobs (default: random uuids). */
  readonly newId?: () => string;
}

/** Object metadata as request fields: `convert-to` and `convert_to` both name `convert_to`. */
function metadataFields(metadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).map(([key, value]) => [key.toLowerCase().replaceAll('-', '_'), value]),
  );
}

export async function createIncomingJob(
  object: UploadedObject,
  deps: IncomingJobDeps,
): Promise<MarkUploadedOutcome> {
  const limits = { ...DEFAULT_JOB_LIMITS, ...deps.limits };
  const head = await deps.inputs.head(object.key);
  if (!head) return { outcome: 'ignored', reason: `${object.key} no longer exists` };
  const now = (deps.clock ?? systemClock).now();
  const expiresAt = Math.floor(now / 1000) + limits.ttlDays * 86_400;
  // The first event's random id wins; a redelivered event (or a retry after a crash between
  // here and createJob) reads it back and carries on with the same job.
  const jobId = await deps.repo.recordIncomingJob(
    incomingObjectHash({ ...object, eTag: object.eTag ?? head.eTag }),
    (deps.newId ?? randomUUID)(),
    expiresAt,
  );
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
    // A repeated event: the first one queued the file. Should its send have been lost, the
    // reconciler sends it again; sending here too would only duplicate the message.
    const existing = await deps.repo.getFile(jobId, fileId);
    return { outcome: 'ignored', reason: `incoming job ${jobId} is already ${existing?.status}` };
  }
  await deps.queue.send({ v: 1, jobId, fileId, kind: effective.kind });
  return { outcome: 'queued', jobId, fileId };
}
