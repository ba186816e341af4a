import { invalidField, isCutoutError } from '../errors.ts';
import { type OutboundUrlRules, outboundUrl } from '../outbound/outbound-url.ts';
import type { RawFields } from '../params/convert-params.ts';
import { sanitizeFileName } from './file-names.ts';
import type { JobKind } from './job.ts';
import { contentTypeFromName } from './media-types.ts';

/**
 * `image_url`: images the worker fetches instead of file parts. Here they are only read and
 * checked for form (an absolute http(s) URL the deployment's scheme rule allows, no
 * credentials); whether the host may be reached is the outbound guard's decision at fetch time
 * (adapters/http/outbound-client.ts), since DNS may answer differently by then.
 */

export const IMAGE_URL_FIELD = 'image_url';
export const MAX_IMAGE_URL_LENGTH = 2048;

/** `image_url`, `image_url[]`, `image_url[0]`: the spellings form clients repeat a field by. */
const IMAGE_URL_NAME = /^image_url(\[\d*\])?$/;

/**
 * Adds one form value to `fields`: every spelling of `image_url` is collected into one list
 * (in arrival order), any other field keeps its last value as before.
 */
export function addFormField(fields: Record<string, unknown>, name: string, value: string): void {
  if (!IMAGE_URL_NAME.test(name)) {
    fields[name] = value;
    return;
  }
  const list = fields[IMAGE_URL_FIELD];
  if (Array.isArray(list)) list.push(value);
  else fields[IMAGE_URL_FIELD] = list === undefined ? [value] : [list, value];
}

/** The fields of a URL-encoded body, `image_url` repeated into a list. */
export function formFields(params: URLSearchParams): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of params) addFormField(fields, name, value);
  return fields;
}

export interface ImageUrlInput {
  /** The URL as the user gave it, normalised by the URL parser. */
  readonly url: string;
  /** The input's name: the path's last segment, sanitised; `image-N` (1-based) without one. */
  readonly name: string;
  /** From the name's extension when it is an image's; the fetch's answer decides otherwise. */
  readonly contentType: string | undefined;
}

/** How a URL is shown back in a message: whole up to a point, then cut. */
export function shownUrl(url: string): string {
  return url.length > 200 ? `${url.slice(0, 200)}...` : url;
}

/**
 * The request's image URLs, in order; blank values are skipped (an empty form input).
 * @throws CutoutError INVALID_REQUEST naming `image_url` and the URL
 */
export function parseImageUrls(fields: RawFields, rules: OutboundUrlRules): ImageUrlInput[] {
  const raw = fields[IMAGE_URL_FIELD];
  if (raw === undefined || raw === null) return [];
  const values = Array.isArray(raw) ? raw : [raw];
  const inputs: ImageUrlInput[] = [];
  for (const value of values) {
    if (typeof value !== 'string') {
      throw invalidField(IMAGE_URL_FIELD, 'must be a URL or a list of URLs (strings)');
    }
    const text = value.trim();
    if (text === '') continue;
    if (text.length > MAX_IMAGE_URL_LENGTH) {
      throw invalidField(
        IMAGE_URL_FIELD,
        `'${shownUrl(text)}' is longer than ${MAX_IMAGE_URL_LENGTH} characters`,
      );
    }
    let url: URL;
    try {
      url = outboundUrl(text, rules);
    } catch (error) {
      if (!isCutoutError(error)) throw error;
      throw invalidField(IMAGE_URL_FIELD, `'${shownUrl(text)}': ${error.problem}`);
    }
    const name = nameFromUrl(url, inputs.length + 1);
    inputs.push({ url: url.href, name, contentType: contentTypeFromName(name, 'image') });
  }
  return inputs;
}

function nameFromUrl(url: URL, position: number): string {
  const fallback = `image-${position}`;
  const segment = url.pathname.split('/').pop() ?? '';
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // A malformed escape: the segment as it stands is still a usable name.
  }
  return sanitizeFileName(decoded, fallback);
}

/**
 * The rules that hold between image URLs and the rest of the request: images only, and not
 * beside an uploads list (the files arrive later there, in a different answer).
 * @throws CutoutError INVALID_REQUEST naming `image_url`
 */
export function checkImageUrlsFit(kind: JobKind, withUploads: boolean): void {
  if (kind !== 'image') {
    throw invalidField(
      IMAGE_URL_FIELD,
      'is for images only; send videos as file parts or through an uploads list',
    );
  }
  if (withUploads) {
    throw invalidField(IMAGE_URL_FIELD, 'send either image URLs or an uploads list, not both');
  }
}
