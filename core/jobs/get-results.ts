import { CutoutError, invalidField } from '../errors.ts';
import { type FileRecord, type FileStatus, isFinished, type JobRecord } from './job.ts';
import { type Clock, type JobRepository, type ObjectStore, systemClock } from './ports.ts';

export interface ResultFile {
  /** Path on the API's own host (the reference clients prepend the host). */
  readonly url: string;
  readonly filename: string;
  /** Absolute, short-lived presigned S3 URL. */
  readonly download_url: string;
  readonly progress: number;
  readonly model: string | undefined;
  readonly warnings: readonly string[];
}

export interface ResultItem {
  readonly filename: string;
  readonly input: string;
  readonly status: FileStatus;
  readonly progress: number;
  readonly attempts: number;
  readonly error?: string;
}

/** The seed's `/v1/results` reply (`files`, `failed`, `finished`, `queue_count`, `errors`) plus extras. */
export interface JobResults {
  readonly files: ResultFile[];
  readonly failed: { filename: string; error: string }[];
  readonly finished: boolean;
  readonly queue_count: number;
  readonly errors: string[];
  readonly uuid: string;
  readonly status: FileStatus;
  /** Mean progress of the job's files, 0-1. */
  readonly progress: number;
  /** Every file with its state, in request order. */
  readonly items: ResultItem[];
}

export interface GetResultsDeps {
  readonly repo: JobRepository;
  readonly outputs: ObjectStore;
  readonly clock?: Clock;
  /** Lifetime of `download_url`s. */
  readonly urlSeconds?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads a job that exists and has not expired.
 * @throws CutoutError INVALID_REQUEST (no uuid), JOB_NOT_FOUND (unknown, malformed or expired)
 */
export async function loadJob(
  uuid: unknown,
  repo: JobRepository,
  now: number,
): Promise<{ job: JobRecord; files: FileRecord[] }> {
  if (typeof uuid !== 'string' || uuid.trim() === '') throw invalidField('uuid', 'is required');
  const id = uuid.trim().toLowerCase();
  const found = UUID.test(id) ? await repo.getJob(id) : undefined;
  if (!found || found.job.expiresAt * 1000 < now) {
    throw new CutoutError(
      'JOB_NOT_FOUND',
      `uuid: no job '${uuid.trim().slice(0, 64)}' (unknown or expired)`,
      {
        field: 'uuid',
      },
    );
  }
  return found;
}

/** The API path of a result. Names are sanitised; encoding keeps spaces and unicode URL-safe. */
export function resultPath(jobId: string, outputName: string): string {
  return `/v1/files/${jobId}/${encodeURIComponent(outputName)}`;
}

function jobStatus(files: readonly FileRecord[]): FileStatus {
  if (files.every((f) => isFinished(f.status))) {
    return files.some((f) => f.status === 'done') || files.length === 0 ? 'done' : 'failed';
  }
  if (files.some((f) => f.status === 'running' || isFinished(f.status))) return 'running';
  return files.some((f) => f.status === 'queued') ? 'queued' : 'waiting_upload';
}

/**
 * The state of a job in the seed's shape.
 *
 * 1. Load the job (404 when unknown or expired).
 * 2. Done files become `files` entries with a fresh presigned `download_url`; failed ones `failed`.
 * 3. `finished` when every file is done or failed; `queue_count` counts files not yet started.
 *
 * @throws CutoutError INVALID_REQUEST, JOB_NOT_FOUND
 */
export async function getResults(uuid: unknown, deps: GetResultsDeps): Promise<JobResults> {
  const now = (deps.clock ?? systemClock).now();
  const { job, files } = await loadJob(uuid, deps.repo, now);
  const done = files.filter((f) => f.status === 'done');
  const urlSeconds = deps.urlSeconds ?? 900;
  const resultFiles = await Promise.all(
    done.map(async (f) => ({
      url: resultPath(job.jobId, f.outputName),
      filename: f.outputName,
      download_url: await deps.outputs.presignGet(f.outputKey, {
        expiresSeconds: urlSeconds,
        downloadName: f.outputName,
      }),
      progress: 1,
      model: f.modelId,
      warnings: f.warnings,
    })),
  );
  const finished = files.length > 0 && files.every((f) => isFinished(f.status));
  return {
    files: resultFiles,
    failed: files
      .filter((f) => f.status === 'failed')
      .map((f) => ({ filename: f.inputName, error: f.error ?? 'processing failed' })),
    finished,
    queue_count: files.filter((f) => f.status === 'queued' || f.status === 'waiting_upload').length,
    errors: [...job.errors],
    uuid: job.jobId,
    status: jobStatus(files),
    progress: files.length === 0 ? 0 : files.reduce((sum, f) => sum + f.progress, 0) / files.length,
    items: files.map((f) => ({
      filename: f.outputName,
      input: f.inputName,
      status: f.status,
      progress: f.progress,
      attempts: f.attempts,
      ...(f.error === undefined ? {} : { error: f.error }),
    })),
  };
}
