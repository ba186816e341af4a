import { CutoutError } from '../errors.ts';
import type { FileRecord } from './job.ts';
import {
  type JobLimits,
  MAX_PART_BYTES,
  needsMultipart,
  partPlan,
  partSizes,
  responseBytes,
} from './job-limits.ts';
import type { ObjectStore } from './ports.ts';
import type { UploadRequest } from './uploads.ts';

/** The signed targets an uploads-mode job answers with, planned to fit one response. */

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

export interface PartPlan {
  readonly partSize: number;
  readonly sizes: readonly number[];
}

/**
 * The part plan of each multipart upload. The request's part URLs are shared out evenly, so
 * the answer stays within the response limit whatever the mix; a file that would then need
 * parts over S3's 5 GiB maximum is refused.
 */
export function planParts(
  uploads: readonly UploadRequest[],
  limits: JobLimits,
): (PartPlan | undefined)[] {
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

/**
 * Signs one target per file, in order, and checks the answer fits Lambda's response.
 *
 * @throws CutoutError INPUT_TOO_LARGE naming `uploads` when it would not
 */
export async function signUploadTargets(
  jobId: string,
  files: readonly FileRecord[],
  uploads: readonly UploadRequest[],
  parts: readonly (PartPlan | undefined)[],
  inputs: ObjectStore,
  limits: JobLimits,
): Promise<{ uuid: string; uploads: UploadTarget[] }> {
  const answer = {
    uuid: jobId,
    uploads: await Promise.all(
      files.map((file, i) =>
        uploadTarget(file, uploads[i] as UploadRequest, parts[i], inputs, limits),
      ),
    ),
  };
  checkAnswerSize(answer, limits);
  return answer;
}

function checkAnswerSize(answer: { uploads: readonly UploadTarget[] }, limits: JobLimits): void {
  const bytes = responseBytes(answer);
  if (bytes <= limits.maxResponseBytes) return;
  throw new CutoutError(
    'INPUT_TOO_LARGE',
    `uploads: the upload targets for ${answer.uploads.length} files take ${bytes} bytes, over the ` +
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
