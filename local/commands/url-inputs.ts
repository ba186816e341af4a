import { createImageUrlFetcher } from '../../adapters/http/image-url-fetcher.ts';
import { createOutboundClient } from '../../adapters/http/outbound-client.ts';
import { outboundPolicyFromEnv } from '../../adapters/http/outbound-env.ts';
import { CutoutError } from '../../core/errors.ts';
import { fetchFailure } from '../../core/jobs/image-url-input.ts';
import { parseImageUrls } from '../../core/jobs/image-urls.ts';

/**
 * `cutout remove`'s image URLs (`--image-url`, or an http(s) URL given as an input): checked as
 * the API checks `image_url`, fetched through the same outbound guard and image cap. On this
 * machine plain http is allowed; private and loopback addresses are not, unless
 * CUTOUT_OUTBOUND_ALLOW_CIDRS names them.
 */

/** Whether an input on the command line is a URL rather than a path. */
export function isUrlInput(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

export interface UrlInputs {
  /** The URLs as given, in order: they stand for their inputs in the summary. */
  readonly labels: readonly string[];
  /** The name an input's result is named after (the URL's last segment), for a URL label. */
  nameOf(label: string): string | undefined;
  /** @throws CutoutError naming the URL: the guard's refusal, a timeout, a status, the cap */
  read(label: string): Promise<Uint8Array>;
}

/** @throws CutoutError INVALID_REQUEST naming `image_url` for a URL the API would refuse */
export function urlInputs(
  urls: readonly string[],
  env: Record<string, string | undefined>,
  maxBytes: number,
): UrlInputs {
  const policy = outboundPolicyFromEnv(env, { allowHttp: true });
  const given = urls.map((url) => url.trim()).filter((url) => url !== '');
  const parsed = parseImageUrls({ image_url: given }, policy);
  const names = new Map(parsed.map((input, i) => [given[i] ?? input.url, input]));
  const fetchImage = createImageUrlFetcher(createOutboundClient(policy));
  return {
    labels: [...names.keys()],
    nameOf: (label) => names.get(label)?.name,
    async read(label) {
      const input = names.get(label);
      if (input === undefined) throw new Error(`not an image URL input: ${label}`);
      try {
        const fetched = await fetchImage(input.url, {
          maxBytes,
          signal: new AbortController().signal,
        });
        const chunks: Uint8Array[] = [];
        for await (const chunk of fetched.body) chunks.push(chunk);
        return Buffer.concat(chunks);
      } catch (error) {
        const failure = fetchFailure(error, maxBytes);
        if (failure === undefined) throw error;
        throw new CutoutError(failure.code, failure.problem, { file: label, cause: error });
      }
    },
  };
}
