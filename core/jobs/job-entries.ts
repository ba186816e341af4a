import { CutoutError, invalidField } from '../errors.ts';
import { sanitizeFileName } from './file-names.ts';
import { type FileRecord, fileIdFor, type JobKind, newFileRecord } from './job.ts';
import type { JobLimits } from './job-limits.ts';
import { isStaged, type RequestFile } from './job-request.ts';
import { acceptedContentType } from './media-types.ts';
import { inputKey, outputKey } from './object-keys.ts';
import type { UploadRequest } from './uploads.ts';

/** The input files of a new job: each one's checked name, type and size, then its record. */

export interface Entry {
  readonly name: string;
  readonly contentType: string | undefined;
  /** Undefined for an image URL: known once fetched. */
  readonly size: number | undefined;
  /** Where the input already is (a staged file); otherwise its key is made from its file id. */
  readonly key?: string;
  /** An `image_url` input, fetched by the worker. */
  readonly sourceUrl?: string;
}

/** A request file's size: its bytes, or what was streamed of it. */
export function fileSize(file: RequestFile): number {
  return isStaged(file) ? file.size : file.data.byteLength;
}

/**
 * A file part of the request, inline or staged: the same checks, by its size.
 * @throws CutoutError INVALID_REQUEST, UNSUPPORTED_MEDIA, INPUT_TOO_LARGE naming the part
 */
export function requestEntry(file: RequestFile, kind: JobKind, limits: JobLimits): Entry {
  const name = sanitizeFileName(file.filename);
  const size = fileSize(file);
  if (size === 0) throw invalidField(file.field, `'${name}' is empty`);
  if (kind === 'image') checkImageSize(file.field, name, size, limits);
  // An inline file is bounded by the request body; a staged one only by the stream's cap.
  if (isStaged(file) && size > limits.maxUploadBytes) {
    throw new CutoutError(
      'INPUT_TOO_LARGE',
      `${file.field}: '${name}' is ${size} bytes, over the ${limits.maxUploadBytes}-byte limit`,
      { field: file.field },
    );
  }
  return {
    name,
    contentType: acceptedContentType(file.field, name, file.contentType, kind),
    size,
    ...(isStaged(file) ? { key: file.key } : {}),
  };
}

/** @throws CutoutError INVALID_REQUEST, UNSUPPORTED_MEDIA, INPUT_TOO_LARGE naming `uploads[i]` */
export function uploadEntry(
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
export function checkImageSize(field: string, name: string, size: number, limits: JobLimits): void {
  if (size <= limits.maxImageBytes) return;
  throw new CutoutError(
    'INPUT_TOO_LARGE',
    `${field}: '${name}' is ${size} bytes, over the ${limits.maxImageBytes}-byte limit for images`,
    { field },
  );
}

/** The file records of a new job, in request order, under their output names. */
export function newFileRecords(
  jobId: string,
  entries: readonly Entry[],
  outputNames: readonly string[],
  status: 'waiting_upload' | 'queued',
  createdAt: string,
  expiresAt: number,
): FileRecord[] {
  return entries.map((entry, index) => {
    const fileId = fileIdFor(index);
    const outName = outputNames[index] ?? `${fileId}.bin`;
    return newFileRecord({
      jobId,
      fileId,
      inputName: entry.name,
      outputName: outName,
      inputKey: entry.key ?? inputKey(jobId, fileId, entry.name),
      outputKey: outputKey(jobId, outName),
      contentType: entry.contentType,
      size: entry.size,
      status,
      createdAt,
      expiresAt,
      ...(entry.sourceUrl === undefined ? {} : { sourceUrl: entry.sourceUrl }),
    });
  });
}
