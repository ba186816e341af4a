import { sniffImageFormat } from '../pipeline/image-header.ts';

/**
 * Which container a video file is, from its first bytes alone. ffmpeg is then told that
 * demuxer (`-f`) and allowed no other: a name or a Content-Type from the client never chooses
 * one, so a playlist or a concat script sent as `video/mp4` cannot make ffmpeg open further
 * files or URLs.
 */

export type SniffedContainer =
  /** `demuxer` is ffmpeg's name for it, passed to `-f` and `-format_whitelist`. */
  | { readonly kind: 'video'; readonly demuxer: string; readonly name: string }
  | { readonly kind: 'image'; readonly format: string }
  | { readonly kind: 'playlist' }
  | { readonly kind: 'unknown' };

/** How many leading bytes `sniffContainer` needs at most. */
export const SNIFF_BYTES = 1024;

/** The containers accepted, for error messages. */
export const ACCEPTED_VIDEO_CONTAINERS =
  'MP4/MOV, WebM/Matroska, AVI, MPEG-TS, MPEG-PS, Ogg, FLV or GIF';

const ascii = (bytes: Uint8Array, at: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(at, at + length));

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

// ISO-BMFF top-level boxes a QuickTime or MP4 file may open with.
const BMFF_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip', 'pnot']);
// Major brands of still pictures in ISO-BMFF (HEIF, AVIF).
const IMAGE_BRANDS = new Set([
  'heic',
  'heix',
  'hevc',
  'hevx',
  'heim',
  'heis',
  'mif1',
  'msf1',
  'avif',
  'avis',
]);

function isMpegTs(bytes: Uint8Array, packet: number, offset: number): boolean {
  const packets = Math.min(3, Math.floor((bytes.length - offset) / packet));
  if (packets < 2) return false;
  for (let i = 0; i < packets; i++) if (bytes[offset + i * packet] !== 0x47) return false;
  return true;
}

export function sniffContainer(bytes: Uint8Array): SniffedContainer {
  const video = (demuxer: string, name: string): SniffedContainer => ({
    kind: 'video',
    demuxer,
    name,
  });
  const text = ascii(bytes, 0, 16).replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '');
  if (text.startsWith('#EXTM3U')) return { kind: 'playlist' };
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return video('gif', 'GIF');
  if (bytes.length >= 12 && BMFF_BOXES.has(ascii(bytes, 4, 4))) {
    const brand = ascii(bytes, 8, 4);
    if (ascii(bytes, 4, 4) === 'ftyp' && IMAGE_BRANDS.has(brand)) {
      return { kind: 'image', format: 'heif' };
    }
    return video('mov', 'MP4/MOV');
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return video('matroska', 'WebM/Matroska');
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'AVI ') return video('avi', 'AVI');
  if (ascii(bytes, 0, 4) === 'OggS') return video('ogg', 'Ogg');
  if (ascii(bytes, 0, 3) === 'FLV') return video('flv', 'FLV');
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0xba])) return video('mpeg', 'MPEG-PS');
  if (isMpegTs(bytes, 188, 0) || isMpegTs(bytes, 192, 4)) return video('mpegts', 'MPEG-TS');
  const image = sniffImageFormat(bytes);
  if (image) return { kind: 'image', format: image };
  if (startsWith(bytes, [0x42, 0x4d])) return { kind: 'image', format: 'bmp' };
  return { kind: 'unknown' };
}
