import { z } from 'zod';
import { DEFAULT_JOB_TTL_DAYS, ENV } from '../config/resources.ts';
import { CutoutError } from '../errors.ts';

/** Tunables of job creation; entry points override them from their environment. */
export interface JobLimits {
  /** Files per request. */
  readonly maxFiles: number;
  /** Largest declared video upload (S3's ceiling for one object is 5 TiB; a POST takes up to 5 GiB). */
  readonly maxUploadBytes: number;
  /** Largest image, inline or uploaded (the worker holds an image in memory). */
  readonly maxImageBytes: number;
  /** Uploads larger than this get multipart part URLs instead of one POST. */
  readonly multipartThresholdBytes: number;
  /** Smallest part size handed out (S3's minimum is 5 MiB; 10,000 parts at most). */
  readonly minPartBytes: number;
  /**
   * Part URLs in one convert answer, all files together. Each URL is a few KiB (the session
   * token rides in it), and the answer must fit Lambda's response limit; larger files get
   * larger parts instead of more URLs.
   */
  readonly maxPartUrls: number;
  /** Ceiling of the convert answer as Lambda returns it (the JSON body inside the proxy result). */
  readonly maxResponseBytes: number;
  /** Lifetime of upload targets and download URLs. */
  readonly urlSeconds: number;
  readonly ttlDays: number;
}

export const DEFAULT_MAX_IMAGE_BYTES = 100 * 1024 ** 2;

/** The image cap's setting: convert and the worker read the same variable, so one definition. */
export const maxImageBytesShape = {
  [ENV.maxImageBytes]: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_IMAGE_BYTES)
    .describe('Largest image accepted (inline, uploaded, or read by the worker).'),
};

/** Lambda refuses a synchronous response over 6 MB (6,291,556 bytes); keep a margin under it. */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_556;

export const DEFAULT_JOB_LIMITS: JobLimits = {
  maxFiles: 100,
  maxUploadBytes: 50 * 1024 ** 3,
  maxImageBytes: DEFAULT_MAX_IMAGE_BYTES,
  multipartThresholdBytes: 100 * 1024 ** 2,
  minPartBytes: 16 * 1024 ** 2,
  maxPartUrls: 500,
  maxResponseBytes: 5 * 1024 ** 2,
  urlSeconds: 3600,
  ttlDays: DEFAULT_JOB_TTL_DAYS,
};

export const MAX_PARTS = 10_000;
/** S3's largest part. */
export const MAX_PART_BYTES = 5 * 1024 ** 3;
const S3_MAX_POST_BYTES = 5 * 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * Part size and count for a multipart upload of `size` bytes in at most `maxParts` parts
 * (whole MiB; the last part holds the remainder). `partSize` may exceed MAX_PART_BYTES: the
 * caller refuses such a plan.
 */
export function partPlan(
  size: number,
  minPartBytes: number,
  maxParts: number = MAX_PARTS,
): { partSize: number; partCount: number } {
  const parts = Math.max(1, Math.min(maxParts, MAX_PARTS));
  const needed = Math.ceil(size / parts / MIB) * MIB;
  const partSize = Math.max(minPartBytes, needed);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** The exact length of each part: `partSize` each, the last one the remainder. */
export function partSizes(size: number, partSize: number): number[] {
  const count = Math.max(1, Math.ceil(size / partSize));
  return Array.from({ length: count }, (_, i) =>
    i < count - 1 ? partSize : size - partSize * (count - 1),
  );
}

/** Whether an upload of `size` bytes gets multipart URLs. */
export function needsMultipart(size: number, limits: JobLimits): boolean {
  return size > Math.min(limits.multipartThresholdBytes, S3_MAX_POST_BYTES);
}

/** Bytes the convert answer takes in Lambda's response: its JSON, escaped again as the proxy body. */
export function responseBytes(answer: unknown): number {
  const PROXY_WRAPPER_BYTES = 1024; // statusCode, headers
  return (
    new TextEncoder().encode(JSON.stringify(JSON.stringify(answer))).byteLength +
    PROXY_WRAPPER_BYTES
  );
}

/**
 * The error of an object read over its cap; names the file (the key's last segment, which is
 * the file's name for inputs and backgrounds) and the limit.
 */
export function objectTooLarge(key: string, size: number | undefined, maxBytes: number) {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const what = size === undefined ? '' : ` ${size} bytes,`;
  return new CutoutError('INPUT_TOO_LARGE', `'${name}' is${what} over the ${maxBytes}-byte limit`, {
    file: name,
    subject: null,
  });
}
