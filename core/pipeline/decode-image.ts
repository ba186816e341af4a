import sharp from 'sharp';
import { CutoutError } from '../errors.ts';
import type { Mask, RgbImage } from '../image/raster.ts';
import type { HeifDecoder } from './heif-decoder.ts';
import { ACCEPTED_FORMATS, pngHeaderSize, sniffImageFormat } from './image-header.ts';
import { assertWithinPixelLimit } from './limits.ts';

export interface DecodedImage {
  /** sRGB colours with EXIF orientation applied; under transparent pixels, whatever the file stored. */
  readonly rgb: RgbImage;
  /** The input's own alpha channel; undefined when it has none or it is fully opaque. */
  readonly alpha: Mask | undefined;
  /** sharp's name for the container format (jpeg, png, webp, gif, tiff, heif). */
  readonly format: string;
  readonly warnings: readonly string[];
}

export interface DecodeOptions {
  /** Largest width*height accepted, checked on the header before decoding. */
  readonly maxPixels: number;
  /** The file name (or field) that error messages name. */
  readonly label: string;
  /** Decodes HEIC (HEVC), which sharp's prebuilt libvips cannot; without it such files are refused. */
  readonly heif?: HeifDecoder | undefined;
}

const SUPPORTED_LIST = 'JPEG, PNG, WebP, AVIF, HEIC, TIFF or GIF';

/**
 * Decodes any raster input sharp reads into 8-bit sRGB plus an optional alpha: EXIF orientation
 * applied, grayscale expanded, CMYK and 16-bit converted through libvips' colour management,
 * only the first frame of an animation or multi-page file.
 *
 * @throws CutoutError DECODE_FAILED (empty, corrupt or truncated data), UNSUPPORTED_MEDIA (not an
 *   accepted image format), INPUT_TOO_LARGE (declared size over `maxPixels`)
 */
export async function decodeImage(
  bytes: Uint8Array,
  options: DecodeOptions,
): Promise<DecodedImage> {
  const { label, maxPixels } = options;
  if (bytes.length === 0) {
    throw new CutoutError('DECODE_FAILED', 'the file is empty (0 bytes)', {
      field: label,
      file: label,
    });
  }
  // A PNG's IHDR is checked by hand: a bomb need not carry a header libvips would accept.
  const png = pngHeaderSize(bytes);
  if (png) assertWithinPixelLimit(png.width, png.height, maxPixels, label);

  const metadata = await readMetadata(bytes, label);
  const frameHeight = metadata.pageHeight ?? metadata.height;
  assertWithinPixelLimit(metadata.width, frameHeight, maxPixels, label);

  const warnings: string[] = [];
  if ((metadata.pages ?? 1) > 1) {
    warnings.push(`${label}: ${metadata.pages} frames or pages; only the first was used`);
  }

  if (metadata.format === 'heif' && metadata.compression === 'hevc' && options.heif) {
    const picture = await options.heif.decode(bytes, { maxPixels, label });
    const channels = { width: picture.width, height: picture.height, channels: 4 as const };
    return { ...splitChannels(picture.data, channels, label), format: 'heif', warnings };
  }

  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .autoOrient()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (metadata.format === 'heif' && metadata.compression === 'hevc') {
      throw new CutoutError(
        'UNSUPPORTED_MEDIA',
        `HEIC (HEVC) decoding is not available in this platform's libvips; convert it to JPEG or AVIF`,
        { field: label, file: label, cause: error },
      );
    }
    throw new CutoutError(
      'DECODE_FAILED',
      `the ${metadata.format} data is corrupt or truncated (${describe(error)})`,
      { field: label, file: label, cause: error },
    );
  }
  return { ...splitChannels(raw.data, raw.info, label), format: metadata.format, warnings };
}

interface HeaderFacts {
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly pageHeight: number | undefined;
  readonly pages: number | undefined;
  readonly compression: string | undefined;
}

async function readMetadata(bytes: Uint8Array, label: string): Promise<HeaderFacts> {
  let m: sharp.Metadata;
  try {
    // Header only: the size limit is applied by hand so its error names the file and size.
    m = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    const sniffed = sniffImageFormat(bytes);
    throw sniffed === undefined
      ? new CutoutError('UNSUPPORTED_MEDIA', `not an image (expected ${SUPPORTED_LIST})`, {
          field: label,
          file: label,
          cause: error,
        })
      : new CutoutError('DECODE_FAILED', `the ${sniffed} header is corrupt (${describe(error)})`, {
          field: label,
          file: label,
          cause: error,
        });
  }
  if (!ACCEPTED_FORMATS.has(m.format) || !m.width || !m.height) {
    throw new CutoutError(
      'UNSUPPORTED_MEDIA',
      `${m.format} is not an accepted image format (expected ${SUPPORTED_LIST})`,
      { field: label, file: label },
    );
  }
  return {
    format: m.format,
    width: m.width,
    height: m.height,
    pageHeight: m.pageHeight,
    pages: m.pages,
    compression: m.compression,
  };
}

function splitChannels(
  data: Uint8Array,
  info: Pick<sharp.OutputInfo, 'width' | 'height' | 'channels'>,
  label: string,
): { rgb: RgbImage; alpha: Mask | undefined } {
  const { width, height, channels } = info;
  if (channels === 3) return { rgb: { data, width, height }, alpha: undefined };
  if (channels !== 4) {
    throw new CutoutError('DECODE_FAILED', `decoded to ${channels} channels, expected 3 or 4`, {
      field: label,
      file: label,
    });
  }
  const pixels = width * height;
  const rgb = new Uint8Array(pixels * 3);
  const alpha = new Uint8Array(pixels);
  let opaque = true;
  for (let i = 0, s = 0, d = 0; i < pixels; i++, s += 4, d += 3) {
    rgb[d] = data[s] ?? 0;
    rgb[d + 1] = data[s + 1] ?? 0;
    rgb[d + 2] = data[s + 2] ?? 0;
    const a = data[s + 3] ?? 255;
    alpha[i] = a;
    if (a !== 255) opaque = false;
  }
  return {
    rgb: { data: rgb, width, height },
    alpha: opaque ? undefined : { data: alpha, width, height },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
