import { randomUUID } from 'node:crypto';
import { CutoutError, invalidField } from '../errors.ts';
import {
  type ConvertOptions,
  parseConvertOptions,
  type RawFields,
} from '../params/convert-params.ts';
import { outputExtension, outputNames, sanitizeFileName } from './file-names.ts';
import { type FileRecord, fileIdFor, type JobKind, type JobRecord, newFileRecord } from './job.ts';
import {
  DEFAULT_JOB_LIMITS,
  type JobLimits,
  MAX_PART_BYTES,
  needsMultipart,
  partPlan,
  partSizes,
  responseBytes,
} from './job-limits.ts';
import { acceptedContentType } from './media-types.ts';
import { backgroundKey, inputKey, outputKey } from './object-keys.ts';
import {
  type Clock,
  type JobQueue,
  type JobRepository,
  type ObjectStore,
  systemClock,
} from './ports.ts';
import { parseUploads, type UploadRequest } from './uploads.ts';

export interface InlineFile {
  /** The multipart field it came in (`files`, `file[0]`, ...), for error messages. */
  readonly field: string;
  readonly filename: string;
  readonly contentType: string | undefined;
  readonly data: Uint8Array;
}

export interface CreateJobRequest {
  readonly apiKeyId: string | undefined;
  /** Every non-file field of the request, `uploads` included; unknown ones are ignored. */
  readonly fields: RawFields;
  readonly files: readonly InlineFile[];
  readonly background?: InlineFile;
}

export interface CreateJobDeps {
  readonly repo: JobRepository;
  readonly inputs: ObjectStore;
  readonly queue: JobQueue;
  readonly clock?: Clock;
  readonly newId?: () => string;
  readonly limits?: Partial<JobLimits>;
  /** Model ids (and aliases) workers can run; when given, others are refused up front. */
  readonly knownModels?: ReadonlySet<string>;
}

export type UploadTarget =
  | {
      readonly filename: string;
      readonly method: 'POST';
      readonly url: string;
      readonly fields: Readonly<Record<string, string>>;
    }
  | {
      readonly filename: string;
      readonly method: 'multipart';
      readonly upload_id: string;
      readonly part_size: number;
      readonly parts: readonly { part_number: number; url: string }[];
      readonly complete_url: string;
    };

export interface CreateJobResult {
  readonly uuid: string;
  /** Present in uploads mode: one target per requested upload, in order. */
  readonly uploads?: readonly UploadTarget[];
}

/** Which background a set of options needs, if any. */
export function backgroundNeeded(options: ConvertOptions): JobKind | undefined {
  if (options.kind === 'image') return options.background.type === 'image' ? 'image' : undefined;
  if (options.format === 'video_over_image') return 'image';
  if (options.format === 'video_over_video') return 'video';
  return undefined;
}

/**
 * Creates a job from a convert request.
 *
 * 1. Parse the options (400 naming the field) and decide inline files vs `uploads`.
 * 2. Check counts, media types, sizes (images by the image cap, videos by the upload cap) and
 *    the background the options need.
 * 3. Inline: store the inputs, write the job and its files as `queued`, enqueue each file.
 *    Uploads: sign the targets (part URLs shared out under `maxPartUrls`, the whole answer under
 *    `maxResponseBytes`), then write the files as `waiting_upload`; the upload event queues
 *    each file (markUploaded).
 *
 * @throws CutoutError INVALID_REQUEST, UNSUPPORTED_MEDIA, INPUT_TOO_LARGE
 */
export async function createJob(
  request: CreateJobRequest,
  deps: CreateJobDeps,
): Promise<CreateJobResult> {
  const limits = { ...DEFAULT_JOB_LIMITS, ...deps.limits };
  const options = parseConvertOptions(request.fields);
  const kind = options.kind;
  if (deps.knownModels && !deps.knownModels.has(options.model)) {
    const known = [...deps.knownModels].sort().join(', ');
    throw invalidField('model', `unknown model '${options.model}'; known: ${known}`);
  }
  const rawUploads = request.fields.uploads;
  const uploads =
    rawUploads === undefined || rawUploads === '' ? undefined : parseUploads(rawUploads);
  if (uploads && request.files.length > 0) {
    throw invalidField('uploads', 'send either files or an uploads list, not both');
  }
  const count = uploads ? uploads.length : request.files.length;
  if (count === 0) {
    throw invalidField(
      'files',
      'at least one file is required: multipart parts named files (or file[0], file[1], ...), or an uploads list',
    );
  }
  if (count > limits.maxFiles) {
    throw invalidField(
      uploads ? 'uploads' : 'files',
      `at most ${limits.maxFiles} files per request, got ${count}`,
    );
  }
  const needed = backgroundNeeded(options);
  const background = needed ? request.background : undefined;
  if (needed && !background) {
    throw invalidField(
      needed === 'image' ? 'bg_image' : 'bg_video',
      `a background ${needed} part is required for these options (also accepted as 'background')`,
    );
  }

  const clock = deps.clock ?? systemClock;
  const now = clock.now();
  const jobId = (deps.newId ?? randomUUID)();
  const createdAt = new Date(now).toISOString();
  const expiresAt = Math.floor(now / 1000) + limits.ttlDays * 86_400;

  const entries = uploads
    ? uploads.map((u, i) => uploadEntry(u, i, kind, limits))
    : request.files.map((f) => inlineEntry(f, kind, limits));
  const parts = uploads ? planParts(uploads, limits) : [];
  const names = outputNames(
    entries.map((e) => e.name),
    outputExtension(options),
  );

  let bgKey: string | undefined;
  if (background) {
    const bgName = sanitizeFileName(background.filename, 'background');
    const bgType = acceptedContentType(
      background.field,
      bgName,
      background.contentType,
      needed ?? kind,
    );
    if (needed === 'image')
      checkImageSize(background.field, bgName, background.data.byteLength, limits);
    bgKey = backgroundKey(jobId, bgName);
    await deps.inputs.put(bgKey, background.data, { contentType: bgType });
  }

  const files: FileRecord[] = entries.map((entry, index) => {
    const fileId = fileIdFor(index);
    const outName = names[index] ?? `${fileId}.bin`;
    return newFileRecord({
      jobId,
      fileId,
      inputName: entry.name,
      outputName: outName,
      inputKey: inputKey(jobId, fileId, entry.name),
      outputKey: outputKey(jobId, outName),
      contentType: entry.contentType,
      size: entry.size,
      status: uploads ? 'waiting_upload' : 'queued',
      createdAt,
      expiresAt,
    });
  });
  const job: JobRecord = {
    jobId,
    kind,
    source: 'api',
    options,
    apiKeyId: request.apiKeyId,
    fileCount: files.length,
    backgroundKey: bgKey,
    errors: [],
    createdAt,
    expiresAt,
  };

  if (!uploads) {
    await Promise.all(
      request.files.map((f, i) => {
        const file = files[i] as FileRecord;
        return deps.inputs.put(file.inputKey, f.data, {
          ...(file.contentType ? { contentType: file.contentType } : {}),
        });
      }),
    );
  }
  // Targets are minted before the items are written, so an answer too large to send leaves no
  // job behind (only empty multipart uploads, which the bucket's lifecycle aborts).
  const answer = uploads
    ? {
        uuid: jobId,
        uploads: await Promise.all(
          files.map((file, i) =>
            uploadTarget(file, uploads[i] as UploadRequest, parts[i], deps.inputs, limits),
          ),
        ),
      }
    : undefined;
  if (answer) checkAnswerSize(answer, limits);
  await deps.repo.createJob(job, files);
  if (!answer) {
    await Promise.all(files.map((f) => deps.queue.send({ v: 1, jobId, fileId: f.fileId, kind })));
    return { uuid: jobId };
  }
  return answer;
}

interface Entry {
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
}

function inlineEntry(file: InlineFile, kind: JobKind, limits: JobLimits): Entry {
  const name = sanitizeFileName(file.filename);
  if (file.data.byteLength === 0) throw invalidField(file.field, `'${name}' is empty`);
  if (kind === 'image') checkImageSize(file.field, name, file.data.byteLength, limits);
  return {
    name,
    contentType: acceptedContentType(file.field, name, file.contentType, kind),
    size: file.data.byteLength,
  };
}

function uploadEntry(
  upload: UploadRequest,
  index: number,
  kind: JobKind,
  limits: JobLimits,
): Entry {
  const field = `uploads[${index}]`;
  const name = sanitizeFileName(upload.filename);
  if (kind === 'image') checkImageSize(`${field}.size`, name, upload.size, limits);
  if (upload.size > limits.maxUploadBytes) {
    throw new CutoutError(
      'INPUT_TOO_LARGE',
      `${field}.size: '${name}' is ${upload.size} bytes, over the ${limits.maxUploadBytes}-byte limit`,
      { field: `${field}.size` },
    );
  }
  const declared = upload.contentType.split(';')[0]?.trim().toLowerCase();
  if (declared === 'application/octet-stream') {
    // A policy needs a real type: the client must upload with the type it declares here.
    throw invalidField(
      `${field}.content_type`,
      `give the media type of '${name}', e.g. image/jpeg or video/mp4`,
    );
  }
  return {
    name,
    contentType: acceptedContentType(`${field}.content_type`, name, upload.contentType, kind),
    size: upload.size,
  };
}

/** @throws CutoutError INPUT_TOO_LARGE naming the field and the file */
function checkImageSize(field: string, name: string, size: number, limits: JobLimits): void {
  if (size <= limits.maxImageBytes) return;
  throw new CutoutError(
    'INPUT_TOO_LARGE',
    `${field}: '${name}' is ${size} bytes, over the ${limits.maxImageBytes}-byte limit for images`,
    { field },
  );
}

interface PartPlan {
  readonly partSize: number;
  readonly sizes: readonly number[];
}

/**
 * The part plan of each multipart upload. The request's part URLs are shared out evenly, so
 * the answer stays within the response limit whatever the mix; a file that would then need
 * parts over S3's 5 GiB maximum is refused.
 */
function planParts(uploads: readonly UploadRequest[], limits: JobLimits): (PartPlan | undefined)[] {
  const multipart = uploads.filter((u) => needsMultipart(u.size, limits)).length;
  const perFile = Math.floor(limits.maxPartUrls / Math.max(1, multipart));
  return uploads.map((upload, index) => {
    if (!needsMultipart(upload.size, limits)) return undefined;
    const { partSize } = partPlan(upload.size, limits.minPartBytes, perFile);
    if (perFile < 1 || partSize > MAX_PART_BYTES) {
      throw new CutoutError(
        'INPUT_TOO_LARGE',
        `uploads[${index}].size: ${upload.size} bytes does not fit one request with ${multipart} large uploads ` +
          `(at most ${limits.maxPartUrls} part URLs per request, parts of at most ${MAX_PART_BYTES} bytes); ` +
          'send fewer large files per request',
        { field: `uploads[${index}].size` },
      );
    }
    return { partSize, sizes: partSizes(upload.size, partSize) };
  });
}

/** @throws CutoutError INPUT_TOO_LARGE naming `uploads` when the answer would not fit Lambda's response */
function checkAnswerSize(answer: CreateJobResult, limits: JobLimits): void {
  const bytes = responseBytes(answer);
  if (bytes <= limits.maxResponseBytes) return;
  throw new CutoutError(
    'INPUT_TOO_LARGE',
    `uploads: the upload targets for ${answer.uploads?.length ?? 0} files take ${bytes} bytes, over the ` +
      `${limits.maxResponseBytes}-byte response limit; send fewer files (or shorter names) per request`,
    { field: 'uploads' },
  );
}

async function uploadTarget(
  file: FileRecord,
  upload: UploadRequest,
  plan: PartPlan | undefined,
  inputs: ObjectStore,
  limits: JobLimits,
): Promise<UploadTarget> {
  const contentType = file.contentType ?? upload.contentType;
  if (plan) {
    const multipart = await inputs.presignMultipart(file.inputKey, {
      contentType,
      partSizes: plan.sizes,
      expiresSeconds: limits.urlSeconds,
    });
    return {
      filename: file.inputName,
      method: 'multipart',
      upload_id: multipart.uploadId,
      part_size: plan.partSize,
      parts: multipart.partUrls.map((url, i) => ({ part_number: i + 1, url })),
      complete_url: multipart.completeUrl,
    };
  }
  const post = await inputs.presignPost(file.inputKey, {
    contentType,
    maxBytes: upload.size,
    expiresSeconds: limits.urlSeconds,
  });
  return { filename: file.inputName, method: 'POST', url: post.url, fields: post.fields };
}
