import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { readBoundedBody } from '../../adapters/http/bounded-read.ts';
import type { Log } from '../../adapters/observability/log.ts';
import { invalidField } from '../../core/errors.ts';
import {
  type CreateJobDeps,
  type CreateJobResult,
  createJob,
  type StagedFile,
} from '../../core/jobs/create-job.ts';
import { sanitizeFileName } from '../../core/jobs/file-names.ts';
import { fileIdFor } from '../../core/jobs/job.ts';
import { DEFAULT_JOB_LIMITS } from '../../core/jobs/job-limits.ts';
import { backgroundNeeded } from '../../core/jobs/job-request.ts';
import { backgroundKey, inputKey } from '../../core/jobs/object-keys.ts';
import { parseConvertOptions } from '../../core/params/convert-params.ts';
import { sortFileParts } from '../../functions/shared/convert-parts.ts';
import {
  isFieldsType,
  mediaType,
  readRequestBody,
  unsupportedBodyType,
} from '../../functions/shared/request-body.ts';
import { readStreamForm, type StreamedPart } from './stream-form.ts';

/**
 * POST /v1/convert on the streaming front door: the seed's multipart POST of any size, each
 * file part streamed straight into the inputs bucket, then the job created by the convert
 * Lambda's own use case (createJob) with those files staged.
 */

export interface StreamConvertRequest {
  readonly headers: IncomingHttpHeaders;
  /** The IncomingMessage itself. */
  readonly body: Readable;
  /** Aborted by the server on client disconnect or idle timeout; its reason is the error to reject with. */
  readonly signal: AbortSignal;
}

export interface StreamConvertDeps extends CreateJobDeps {
  /** Largest video file one request may stream (images stop at the image cap). */
  readonly maxUploadBytes: number;
  readonly log?: Log;
}

/** A body without files (JSON or a URL-encoded form: options and an `uploads` list). */
export const FIELDS_BODY_BYTES = 1024 * 1024;
/** The text fields of a multipart body, as the Lambda's parser allows. */
const MAX_FIELDS = 200;
const MAX_FIELD_BYTES = 1024 * 1024;

interface StagedPart extends StagedFile {
  readonly role: StreamedPart['role'];
}

function headerValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Creates a job from the request. Multipart bodies stream; JSON and URL-encoded bodies (the
 * `uploads` flow) are read whole, up to FIELDS_BODY_BYTES, and parsed as the Lambda parses them.
 *
 * On any failure no job exists when it rejects: every streamed object has been deleted and
 * every multipart upload aborted.
 *
 * @throws CutoutError as createJob, plus INVALID_REQUEST for a malformed or cut-off body,
 *   INPUT_TOO_LARGE for a file over its cap, UNSUPPORTED_MEDIA for another body type; the
 *   signal's reason when it aborts
 */
export async function streamConvert(
  request: StreamConvertRequest,
  apiKeyId: string,
  deps: StreamConvertDeps,
): Promise<CreateJobResult> {
  const contentType = headerValue(request.headers['content-type']);
  const type = mediaType(contentType);
  if (type === 'multipart/form-data') return streamMultipart(request, contentType, apiKeyId, deps);
  if (!isFieldsType(type) && headerValue(request.headers['content-length']) !== '0') {
    throw unsupportedBodyType(type);
  }
  const raw = await readBoundedBody(request.body, FIELDS_BODY_BYTES, request.signal);
  const body = await readRequestBody(
    {
      headers: { 'content-type': contentType },
      body: raw.toString('base64'),
      isBase64Encoded: true,
    },
    { maxBytes: FIELDS_BODY_BYTES, maxFiles: 0 },
  );
  return createJob({ apiKeyId, fields: body.fields, files: [] }, deps);
}

async function streamMultipart(
  request: StreamConvertRequest,
  contentType: string,
  apiKeyId: string,
  deps: StreamConvertDeps,
): Promise<CreateJobResult> {
  const limits = { ...DEFAULT_JOB_LIMITS, ...deps.limits, maxUploadBytes: deps.maxUploadBytes };
  // Chosen before the first part: the parts are stored under the job's keys as they arrive.
  const jobId = (deps.newId ?? randomUUID)();
  const staged = new Set<string>();
  let inputCount = 0;
  let backgroundTaken = false;

  const stage = (part: StreamedPart): Promise<StagedPart> | undefined => {
    let key: string;
    if (part.role === 'background') {
      // The first background part is the background, as sortFileParts decides for the Lambda.
      if (backgroundTaken) return undefined;
      backgroundTaken = true;
      key = backgroundKey(jobId, sanitizeFileName(part.filename, 'background'));
    } else {
      // Refused now rather than after streaming every file: createJob would refuse the count.
      if (inputCount === limits.maxFiles) {
        throw invalidField(
          'files',
          `at most ${limits.maxFiles} files per request, got ${limits.maxFiles + 1} or more`,
        );
      }
      // Arrival order: `file[N]` ordering and the options are only known at the end.
      key = inputKey(jobId, fileIdFor(inputCount++), sanitizeFileName(part.filename));
    }
    staged.add(key);
    return deps.inputs
      .putStream(key, part.body, {
        signal: part.signal,
        maxBytes: part.maxBytes,
        ...(part.contentType ? { contentType: part.contentType } : {}),
      })
      .then(({ size }) => ({
        field: part.field,
        role: part.role,
        filename: part.filename,
        contentType: part.contentType,
        size,
        key,
      }));
  };

  let writing = false;
  try {
    const form = await readStreamForm(request.body, contentType, {
      limits: {
        maxImageBytes: limits.maxImageBytes,
        maxUploadBytes: limits.maxUploadBytes,
        // The inputs, a background and one more input (refused by its count, in `stage`).
        maxFileParts: limits.maxFiles + 2,
        maxFields: MAX_FIELDS,
        maxFieldBytes: MAX_FIELD_BYTES,
      },
      signal: request.signal,
      onFile: stage,
    });
    const { files, background } = sortFileParts(form.files);
    // A client gone by now would never learn the job's uuid: no job for it.
    request.signal.throwIfAborted();
    writing = true;
    const result = await createJob(
      { apiKeyId, fields: form.fields, files, ...(background ? { background } : {}) },
      { ...deps, limits, newId: () => jobId },
    );
    if (background && !backgroundNeeded(parseConvertOptions(form.fields))) {
      // Streamed before the options said whether it was wanted; the job does not refer to it.
      await deleteStaged([background.key], jobId, deps);
    }
    return result;
  } catch (error) {
    // Nothing is in flight any more: the form settles only after every upload has.
    if (!writing || !(await jobExists(jobId, deps))) await deleteStaged([...staged], jobId, deps);
    throw error;
  }
}

/**
 * Whether createJob got as far as writing the job. Then its inputs stay: the reconciler queues
 * files whose message was lost. Unknown (the table unreachable) counts as written, since a
 * deleted input would fail a live job, while an orphaned one only waits for the bucket's expiry.
 */
async function jobExists(jobId: string, deps: StreamConvertDeps): Promise<boolean> {
  try {
    return (await deps.repo.getJob(jobId)) !== undefined;
  } catch (error) {
    deps.log?.error('job state unknown after a failed convert; its inputs are kept', {
      jobId,
      error,
    });
    return true;
  }
}

async function deleteStaged(
  keys: readonly string[],
  jobId: string,
  deps: StreamConvertDeps,
): Promise<void> {
  const results = await Promise.allSettled(keys.map((key) => deps.inputs.delete(key)));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      deps.log?.error('streamed input not deleted; the bucket lifecycle expires it', {
        jobId,
        key: keys[i],
        error: result.reason,
      });
    }
  });
}
