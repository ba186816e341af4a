import { DEFAULT_JOB_TTL_DAYS } from '../config/resources.ts';

/** Tunables of job creation; entry points override them from their environment. */
export interface JobLimits {
  /** Files per request. */
  readonly maxFiles: number;
  /** Largest declared upload (S3's ceiling for one object is 5 TiB; a POST takes up to 5 GiB). */
  readonly maxUploadBytes: number;
  /** Uploads larger than this get multipart part URLs instead of one POST. */
  readonly multipartThresholdBytes: number;
  /** Smallest part size handed out (S3's minimum is 5 MiB; 10,000 parts at most). */
  readonly minPartBytes: number;
  /** Lifetime of upload targets and download URLs. */
  readonly urlSeconds: number;
  readonly ttlDays: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = {
  maxFiles: 100,
  maxUploadBytes: 50 * 1024 ** 3,
  multipartThresholdBytes: 100 * 1024 ** 2,
  minPartBytes: 16 * 1024 ** 2,
  urlSeconds: 3600,
  ttlDays: DEFAULT_JOB_TTL_DAYS,
};

export const MAX_PARTS = 10_000;
const S3_MAX_POST_BYTES = 5 * 1024 ** 3;

/** Part size and count for a multipart upload of `size` bytes. */
export function partPlan(
  size: number,
  minPartBytes: number,
): { partSize: number; partCount: number } {
  const mib = 1024 ** 2;
  const needed = Math.ceil(size / MAX_PARTS / mib) * mib;
  const partSize = Math.max(minPartBytes, needed);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** Whether an upload of `size` bytes gets multipart URLs. */
export function needsMultipart(size: number, limits: JobLimits): boolean {
  return size > Math.min(limits.multipartThresholdBytes, S3_MAX_POST_BYTES);
}
