import sharp from 'sharp';
import type { RgbImage } from '../image/raster.ts';
import { composeOverColor } from './compose-background.ts';
import { type DecodeOptions, decodeImage } from './decode-image.ts';

const WHITE = { r: 255, g: 255, b: 255, alpha: 255 };

/**
 * Decodes a background image and fits it to width x height the way CSS `object-fit: cover`
 * does: scaled (Lanczos-3) until it covers the whole frame, aspect ratio kept, then cropped
 * around its centre. Nothing is stretched (the references stretch) and no border is left
 * uncovered. A background with its own transparency is flattened over white first.
 *
 * @throws CutoutError DECODE_FAILED, UNSUPPORTED_MEDIA, INPUT_TOO_LARGE naming `label`
 */
export async function fitBackground(
  bytes: Uint8Array,
  width: number,
  height: number,
  options: DecodeOptions,
): Promise<{ image: RgbImage; warnings: readonly string[] }> {
  const decoded = await decodeImage(bytes, options);
  const flat = decoded.alpha
    ? composeOverColor(decoded.rgb, decoded.alpha, WHITE)
    : { ...decoded.rgb, channels: 3 as const };
  const data = await sharp(flat.data, {
    raw: { width: flat.width, height: flat.height, channels: 3 },
  })
    .resize(width, height, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { image: { data, width, height }, warnings: decoded.warnings };
}
