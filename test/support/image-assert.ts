import sharp from 'sharp';
import type { Mask } from '../../core/image/raster.ts';

/** The alpha channel of an encoded image (255 everywhere when it has none). */
export async function readAlpha(encoded: Uint8Array): Promise<Mask> {
  const { data, info } = await sharp(encoded)
    .ensureAlpha()
    .extractChannel(3)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** An encoded image as one 8-bit grey channel (a mask file, or the luminance of a colour image). */
export async function readGray(encoded: Uint8Array | string): Promise<Mask> {
  const { data, info } = await sharp(encoded)
    .toColourspace('b-w')
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Intersection over union of two masks thresholded at `threshold` (value >= threshold is foreground). */
export function maskIoU(a: Mask, b: Mask, threshold = 128): number {
  assertSameSize(a, b);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const fa = (a.data[i] ?? 0) >= threshold;
    const fb = (b.data[i] ?? 0) >= threshold;
    if (fa && fb) inter++;
    if (fa || fb) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Mean absolute difference of two masks, on a 0..1 scale. */
export function maskMAE(a: Mask, b: Mask): number {
  assertSameSize(a, b);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
  return a.data.length === 0 ? 0 : sum / a.data.length / 255;
}

/** The fraction of pixels at or above `threshold`. */
export function foregroundFraction(mask: Mask, threshold = 128): number {
  let n = 0;
  for (const v of mask.data) if (v >= threshold) n++;
  return mask.data.length === 0 ? 0 : n / mask.data.length;
}

function assertSameSize(a: Mask, b: Mask): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`mask sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
}
