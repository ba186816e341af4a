import { CutoutError } from '../../core/errors.ts';
import type { ImageUrlFetcher } from '../../core/jobs/image-url-input.ts';
import type { OutboundClient } from './outbound-client.ts';

/** One image URL's whole fetch (DNS, connect, headers and body) gets this long. */
export const IMAGE_URL_TIMEOUT_MS = 20_000;

/**
 * `image_url` fetches through the outbound guard: a GET under the image size cap and one
 * timeout, redirects refused by the guard. Only a 2xx answer is an image; any other status
 * fails the file, named in its reason.
 */
export function createImageUrlFetcher(
  client: OutboundClient,
  timeoutMs: number = IMAGE_URL_TIMEOUT_MS,
): ImageUrlFetcher {
  return async (url, { maxBytes, signal }) => {
    const response = await client.send({
      url,
      method: 'GET',
      headers: { accept: 'image/*' },
      timeoutMs,
      maxResponseBytes: maxBytes,
      signal,
    });
    if (response.status < 200 || response.status > 299) {
      response.body.destroy();
      throw new CutoutError('OUTBOUND_FAILED', `answered HTTP ${response.status}`, {
        subject: null,
      });
    }
    const type = response.headers['content-type'];
    return {
      body: response.body,
      contentType: Array.isArray(type) ? type[0] : type,
      discard: () => response.body.destroy(),
    };
  };
}
