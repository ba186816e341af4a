import { CutoutError } from '../errors.ts';
import { sanitizeFileName } from './file-names.ts';
import type { JobKind } from './job.ts';
import { checkImageSize, fileSize } from './job-entries.ts';
import type { JobLimits } from './job-limits.ts';
import { isStaged, type RequestFile } from './job-request.ts';
import { acceptedContentType } from './media-types.ts';
import { backgroundKey } from './object-keys.ts';
import type { ObjectStore } from './ports.ts';

/**
 * Checks the job's background part (its type for `needed`, an image by the image cap) and
 * stores it, unless it was staged (then its key is kept); returns its key.
 *
 * @throws CutoutError UNSUPPORTED_MEDIA, INPUT_TOO_LARGE naming the part's field
 */
export async function storeBackground(
  background: RequestFile,
  needed: JobKind,
  jobId: string,
  inputs: ObjectStore,
  limits: JobLimits,
): Promise<string> {
  const name = sanitizeFileName(background.filename, 'background');
  const contentType = acceptedContentType(background.field, name, background.contentType, needed);
  if (needed === 'image') checkImageSize(background.field, name, fileSize(background), limits);
  if (isStaged(background)) {
    if (!background.key.startsWith(backgroundKey(jobId, ''))) {
      throw stagedElsewhere(background.key, jobId);
    }
    return background.key;
  }
  const key = backgroundKey(jobId, name);
  await inputs.put(key, background.data, { contentType });
  return key;
}

/** A staged object outside the job's prefix: a caller's bug, never the client's. */
export function stagedElsewhere(key: string, jobId: string): CutoutError {
  return new CutoutError('INTERNAL', `staged object ${key} is not under job ${jobId}`);
}
