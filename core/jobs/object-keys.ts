import { S3_PREFIX } from '../config/resources.ts';

/**
 * S3 key layout. Inputs: `jobs/<uuid>/<fileId>/<name>` (the file id in the key lets the upload
 * event find its item without metadata, which S3 events do not carry). Outputs:
 * `jobs/<uuid>/<output name>` for API jobs; `results/<path>` mirrors `incoming/<path>`.
 */

export function inputKey(jobId: string, fileId: string, name: string): string {
  return `${S3_PREFIX.jobs}${jobId}/${fileId}/${name}`;
}

export function backgroundKey(jobId: string, name: string): string {
  return `${S3_PREFIX.jobs}${jobId}/background/${name}`;
}

export function outputKey(jobId: string, outputName: string): string {
  return `${S3_PREFIX.jobs}${jobId}/${outputName}`;
}

const INPUT_KEY = /^jobs\/([0-9a-f-]{36})\/(\d{4})\/([^/]+)$/;

/** The job and file an inputs-bucket key belongs to, if it is a job input. */
export function parseInputKey(key: string): { jobId: string; fileId: string } | undefined {
  const match = INPUT_KEY.exec(key);
  if (!match?.[1] || !match[2]) return undefined;
  return { jobId: match[1], fileId: match[2] };
}

/** `incoming/a/b/photo.jpg` -> `results/a/b/` (the folder the results of that drop go to). */
export function incomingResultPrefix(key: string): string {
  const relative = key.slice(S3_PREFIX.incoming.length);
  const slash = relative.lastIndexOf('/');
  return `${S3_PREFIX.incomingResults}${slash < 0 ? '' : relative.slice(0, slash + 1)}`;
}
