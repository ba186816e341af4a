import { CutoutError } from '../errors.ts';
import { splitName } from './file-names.ts';
import type { JobKind } from './job.ts';

/**
 * Recognising inputs before they are queued, so a wrong file fails the request (415 naming
 * the file) instead of a worker later. Decoding proper happens in the pipeline.
 */

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heic: 'image/heic',
  heif: 'image/heif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
};

const VIDEO_TYPES: Readonly<Record<string, string>> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  gif: 'image/gif',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
};

function typesFor(kind: JobKind): Readonly<Record<string, string>> {
  return kind === 'image' ? IMAGE_TYPES : VIDEO_TYPES;
}

/** The content type implied by a name's extension for this kind, if it is one we take. */
export function contentTypeFromName(name: string, kind: JobKind): string | undefined {
  return typesFor(kind)[splitName(name).extension.toLowerCase()];
}

function isAcceptedType(contentType: string, kind: JobKind): boolean {
  const base = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (kind === 'image') return base.startsWith('image/');
  return base.startsWith('video/') || base === 'image/gif';
}

// A multipart part without a Content-Type defaults to text/plain (RFC 7578), and the seed's
// Python client sends its files that way: the extension decides for all of these.
const GENERIC_TYPES = new Set([
  '',
  'application/octet-stream',
  'binary/octet-stream',
  'text/plain',
]);

/**
 * The content type to store an input under: the declared one when it fits the kind, else one
 * from the extension; a generic declared type defers to the extension.
 * @throws CutoutError UNSUPPORTED_MEDIA naming the field and the file
 */
export function acceptedContentType(
  field: string,
  name: string,
  declared: string | undefined,
  kind: JobKind,
): string {
  const fromName = contentTypeFromName(name, kind);
  const type = (declared ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && !GENERIC_TYPES.has(type)) {
    if (isAcceptedType(type, kind)) return type;
  } else if (fromName !== undefined) {
    return fromName;
  }
  const wanted = kind === 'image' ? 'an image (image/*)' : 'a video (video/*)';
  throw new CutoutError(
    'UNSUPPORTED_MEDIA',
    `${field}: '${name}' is not ${wanted}${type === '' ? '' : `, got ${type}`}`,
    { field },
  );
}
