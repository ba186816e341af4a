import { describeBytes } from '../config/inline-limit.ts';
import { CutoutError, type ErrorCode, isCutoutError } from '../errors.ts';
import { shownUrl } from './image-urls.ts';
import type { FileRecord } from './job.ts';
import type { ObjectStore } from './ports.ts';

/** An `image_url` answer, its body still streaming. */
export interface FetchedImage {
  readonly body: AsyncIterable<Uint8Array>;
  /** The answer's Content-Type, when it gave one. */
  readonly contentType: string | undefined;
  /** Drops the body unread and closes its connection (for an answer that is refused). */
  readonly discard?: () => void;
}

/**
 * The port the worker fetches image URLs through (adapters/http/image-url-fetcher.ts: the
 * outbound guard). The body errors past `maxBytes`; `signal` aborts it with its reason.
 * @throws CutoutError OUTBOUND_REFUSED, OUTBOUND_TIMEOUT, OUTBOUND_FAILED (a status other than
 *   2xx among them), INPUT_TOO_LARGE
 */
export type ImageUrlFetcher = (
  url: string,
  options: { readonly maxBytes: number; readonly signal: AbortSignal },
) => Promise<FetchedImage>;

// Types servers send for images they do not label; the decoder decides for these.
const UNLABELLED = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/**
 * Puts an `image_url` file's input where a file part's would be (its `inputKey`), so the rest
 * of the pipeline cannot tell the two apart. An input already there (an earlier attempt fetched
 * it) is not fetched again. Every failure of the fetch itself is final and names the URL the
 * user gave; the file's deadline or lost lease stops it with their own reasons.
 *
 * @throws CutoutError as the fetcher, restated about the file and its URL; UNSUPPORTED_MEDIA for
 *   an answer that says it is not an image
 */
export async function fetchImageInput(
  file: FileRecord,
  deps: { readonly inputs: ObjectStore; readonly fetchImageUrl?: ImageUrlFetcher | undefined },
  maxBytes: number,
  signal: AbortSignal,
): Promise<void> {
  const url = file.sourceUrl;
  if (url === undefined || (await deps.inputs.head(file.inputKey)) !== undefined) return;
  const about = (code: ErrorCode, problem: string, cause?: unknown) =>
    new CutoutError(code, `image_url ${shownUrl(url)}: ${problem}`, {
      file: file.inputName,
      ...(cause === undefined ? {} : { cause }),
    });
  if (!deps.fetchImageUrl) throw about('PROCESSING_FAILED', 'this worker cannot fetch image URLs');
  try {
    const fetched = await deps.fetchImageUrl(url, { maxBytes, signal });
    const type = (fetched.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!type.startsWith('image/') && !UNLABELLED.has(type)) {
      // Not left to the fetch's timeout: a hostile answer may never end.
      fetched.discard?.();
      throw about('UNSUPPORTED_MEDIA', `the answer is ${type}, not an image`);
    }
    await deps.inputs.putStream(file.inputKey, fetched.body, {
      maxBytes,
      signal,
      ...(type.startsWith('image/') ? { contentType: type } : {}),
    });
  } catch (error) {
    const failure = signal.aborted ? undefined : fetchFailure(error, maxBytes);
    if (failure === undefined) throw error;
    throw about(failure.code, failure.problem, error);
  }
}

/**
 * What a failed fetch says, for the fetch's own failures (the guard's refusals, timeouts, a
 * status other than 2xx, an answer over the image cap); undefined for anything else (a storage
 * error, a stop), which keeps its own code and, when retryable, its retry.
 */
export function fetchFailure(
  error: unknown,
  maxBytes: number,
): { readonly code: ErrorCode; readonly problem: string } | undefined {
  if (!isCutoutError(error)) return undefined;
  if (error.code === 'INPUT_TOO_LARGE') {
    return { code: error.code, problem: `over the ${describeBytes(maxBytes)} limit for images` };
  }
  if (error.code.startsWith('OUTBOUND_')) return { code: error.code, problem: error.problem };
  return undefined;
}
