/**
 * What the first bytes of a file say, read without any decoder: used to tell "not an image at
 * all" from "an image we could not decode", and to size-check PNGs whose header a decoder
 * might reject for other reasons before it reports their size.
 */

/** Formats the pipeline accepts, as sharp's `metadata().format` names them. */
export const ACCEPTED_FORMATS: ReadonlySet<string> = new Set([
  'jpeg',
  'png',
  'webp',
  'gif',
  'tiff',
  'heif',
]);

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The raster format whose signature opens `bytes`, or undefined when none matches. */
export function sniffImageFormat(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('GIF8'))) return 'gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return 'tiff';
  }
  // ISO-BMFF (AVIF, HEIC): a box size, then "ftyp".
  if (startsWith(bytes, ascii('ftyp'), 4)) return 'heif';
  return undefined;
}

/** Width and height from a PNG's IHDR chunk, or undefined when `bytes` is not a PNG. */
export function pngHeaderSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (
    bytes.length < 24 ||
    !startsWith(bytes, PNG_SIGNATURE) ||
    !startsWith(bytes, ascii('IHDR'), 12)
  ) {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
