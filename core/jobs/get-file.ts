import { CutoutError } from '../errors.ts';
import { loadJob } from './get-results.ts';
import {
  type Clock,
  type JobRepository,
  type ObjectStore,
  type OutputGeometry,
  systemClock,
} from './ports.ts';

export type FileDownload = (
  | {
      readonly kind: 'bytes';
      readonly data: Uint8Array;
      readonly contentType: string;
      readonly filename: string;
    }
  | { readonly kind: 'redirect'; readonly url: string; readonly filename: string }
) & {
  /** Images: the result's size and the subject's box, for the X-Width/X-Foreground-* headers. */
  readonly geometry?: OutputGeometry;
};

export interface GetFileDeps {
  readonly repo: JobRepository;
  readonly outputs: ObjectStore;
  readonly clock?: Clock;
  /** Results up to this size come back as bytes (clients that do not follow redirects). */
  readonly maxInlineBytes: number;
  readonly urlSeconds?: number;
}

/**
 * One result by job uuid and output name: its bytes when they fit the response limit,
 * otherwise a short-lived presigned URL to redirect to.
 *
 * @throws CutoutError JOB_NOT_FOUND (unknown job or name), JOB_CONFLICT (not finished yet)
 */
export async function getFile(
  uuid: string,
  name: string,
  deps: GetFileDeps,
): Promise<FileDownload> {
  const now = (deps.clock ?? systemClock).now();
  const { job, files } = await loadJob(uuid, deps.repo, now);
  const file = files.find((f) => f.outputName === name);
  if (!file) {
    throw new CutoutError(
      'JOB_NOT_FOUND',
      `name: job ${job.jobId} has no result '${name.slice(0, 200)}'`,
      {
        field: 'name',
      },
    );
  }
  if (file.status !== 'done') {
    const detail =
      file.status === 'failed'
        ? `failed: ${file.error ?? 'processing failed'}`
        : `is ${file.status}`;
    throw new CutoutError('JOB_CONFLICT', `name: '${name}' ${detail}`, { field: 'name' });
  }
  const geometry = file.outputGeometry ? { geometry: file.outputGeometry } : {};
  const size = file.outputSize ?? (await deps.outputs.head(file.outputKey))?.size;
  if (size !== undefined && size <= deps.maxInlineBytes) {
    return {
      kind: 'bytes',
      data: await deps.outputs.get(file.outputKey),
      contentType: file.outputContentType ?? 'application/octet-stream',
      filename: file.outputName,
      ...geometry,
    };
  }
  const url = await deps.outputs.presignGet(file.outputKey, {
    expiresSeconds: deps.urlSeconds ?? 300,
    downloadName: file.outputName,
  });
  return { kind: 'redirect', url, filename: file.outputName, ...geometry };
}
