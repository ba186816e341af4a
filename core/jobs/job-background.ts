import { sanitizeFileName } from './file-names.ts';
import type { JobKind } from './job.ts';
import { checkImageSize } from './job-entries.ts';
import type { JobLimits } from './job-limits.ts';
import type { InlineFile } from './job-request.ts';
import { acceptedContentType } from './media-types.ts';
import { backgroundKey } from './object-keys.ts';
import type { ObjectStore } from './ports.ts';

/**
 * Checks the job's background part (its type for `needed`, an image by the image cap) and
 * stores it; returns its key.
 *
 * @throws CutoutError UNSUPPORTED_MEDIA, INPUT_TOO_LARGE naming the part's field
 */
export async function storeBackground(
  background: InlineFile,
  needed: JobKind,
  jobId: string,
  inputs: ObjectStore,
  limits: JobLimits,
): Promise<string> {
  const name = sanitizeFileName(background.filename, 'background');
  const contentType = acceptedContentType(background.field, name, background.contentType, needed);
  if (needed === 'image')
    checkImageSize(background.field, name, background.data.byteLength, limits);
  const key = backgroundKey(jobId, name);
  await inputs.put(key, background.data, { contentType });
  return key;
}
