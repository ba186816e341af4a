import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { GEOMETRY_HEADER_NAMES } from '../../core/jobs/result-headers.ts';

/**
 * Serves a result that the files handler redirects to S3 (too large for a Lambda's response)
 * by streaming it from S3 through the service. Behind API Gateway the redirect is the only way;
 * here the connection can carry any size, and the seed's PHP example does not follow redirects
 * (it would save the empty redirect as the file). The bytes pass through in chunks.
 *
 * @param extraHeaders the handler's own headers to keep (the X-Width/X-Foreground-* geometry)
 * @returns false when S3 did not answer with the object (the caller sends the redirect instead)
 */
export async function relayObject(
  location: string,
  res: ServerResponse,
  signal: AbortSignal,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<boolean> {
  const upstream = await fetch(location, { signal });
  if (upstream.status !== 200 || !upstream.body) {
    await upstream.body?.cancel();
    return false;
  }
  const headers: Record<string, string> = {
    'cache-control': 'private, max-age=300',
    ...extraHeaders,
  };
  for (const name of ['content-type', 'content-length', 'content-disposition', 'etag']) {
    const value = upstream.headers.get(name);
    if (value) headers[name] = value;
  }
  res.writeHead(200, headers);
  await pipeline(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>), res, { signal });
  return true;
}

/** The files handler's geometry headers (X-Width, X-Foreground-*, ...) from its reply, to relay. */
export function pickGeometryHeaders(
  headers: Readonly<Record<string, string | string[]>>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of GEOMETRY_HEADER_NAMES) {
    const value = headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}
