import { CutoutError, invalidField } from '../errors.ts';
import { MODEL_MANIFEST } from '../models/bundled-manifest.ts';
import { licenceOf } from '../models/licence.ts';
import { webhookResult } from '../webhooks/webhook-results.ts';
import { type FileRecord, type FileStatus, isFinished, type JobRecord } from './job.ts';
import { type Clock, type JobRepository, type ObjectStore, systemClock } from './ports.ts';
import { type JobResults, jobResultsSchema } from './results-schema.ts';

export type { JobResults, ResultFile, ResultItem } from './results-schema.ts';

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
      ...licenceField(f.modelId),
      warnings: [...f.warnings],
      ...(f.outputGeometry
        ? {
            width: f.outputGeometry.width,
            height: f.outputGeometry.height,
            bbox: f.outputGeometry.bbox,
          }
        : {}),
    })),
  );
  const finished = files.length > 0 && files.every((f) => isFinished(f.status));
  const answer: JobResults = {
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
      ...(f.sourceUrl === undefined ? {} : { source_url: f.sourceUrl }),
      status: f.status,
      progress: f.progress,
      attempts: f.attempts,
      ...(f.error === undefined ? {} : { error: f.error }),
    })),
    ...(job.webhook ? { webhook: webhookResult(job.webhook, job.webhookState) } : {}),
  };
  // Through the schema the API document is made from: an answer that strays from it fails here.
  return jobResultsSchema.parse(answer);
}

/** The licence of the model that ran, when the manifest knows it (not for a custom file). */
function licenceField(modelId: string | undefined): { licence?: string } {
  const spdx = modelId === undefined ? undefined : licenceOf(MODEL_MANIFEST, modelId);
  return spdx === undefined ? {} : { licence: spdx };
}
