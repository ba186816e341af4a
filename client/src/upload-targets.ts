import type { ApiUploadTarget } from './api-types.ts';
import { errorFrom } from './errors.ts';

/**
 * Sends one file to the target a convert answered with: a presigned POST (the form's fields,
 * then the file last) or an S3 multipart upload (each slice PUT to its signed URL, then the
 * list of ETags posted to `complete_url`).
 */
export async function sendToTarget(
  target: ApiUploadTarget,
  file: Blob,
  fetcher: typeof fetch,
  options: { readonly signal?: AbortSignal | undefined; readonly opaque?: boolean } = {},
): Promise<void> {
  const { signal } = options;
  if (target.method === 'POST') {
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append('file', file, target.filename);
    const response = await fetcher(target.url, {
      method: 'POST',
      body: form,
      signal,
      ...(options.opaque ? { mode: 'no-cors' as const } : {}),
    });
    // An opaque answer cannot be read: the job's status tells whether the object landed.
    if (response.type === 'opaque') return;
    if (!response.ok) throw await errorFrom(response, `upload of ${target.filename}`);
    await response.body?.cancel();
    return;
  }
  const etags: string[] = [];
  for (const part of target.parts) {
    const start = (part.part_number - 1) * target.part_size;
    const slice = file.slice(start, Math.min(file.size, start + target.part_size));
    const response = await fetcher(part.url, { method: 'PUT', body: slice, signal });
    if (!response.ok) {
      throw await errorFrom(response, `part ${part.part_number} of ${target.filename}`);
    }
    await response.body?.cancel();
    const etag = response.headers.get('etag');
    // A browser sees ETag only when the bucket's CORS rules expose it.
    if (etag === null) throw new Error(`part ${part.part_number} of ${target.filename}: no ETag`);
    etags.push(etag);
  }
  const parts = etags
    .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
    .join('');
  const response = await fetcher(target.complete_url, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`,
    signal,
  });
  const text = await response.text();
  // S3 may answer 200 with an <Error> body when completing fails late.
  if (!response.ok || text.includes('<Error>')) {
    throw new Error(`completing ${target.filename}: HTTP ${response.status} ${text.slice(0, 300)}`);
  }
}
