import sharp from 'sharp';
import type { Mask } from '../image/raster.ts';
import { resizeCornerBilinear } from './corner-bilinear.ts';

/**
 * Below this spread the model's map is treated as flat: min-max would divide by (almost) zero,
 * which gives NaN in rembg. A flat map carries no shape, only a level.
 */
const FLAT_RANGE = 1e-6;

/**
 * One model output map (size*size floats starting at `offset`) to an 8-bit mask: global
 * min-max to [0, 1], clipped, then floor(p * 255) as numpy's uint8 cast does. A flat map keeps
 * its level instead (clipped to [0, 1]): all-one stays foreground, all-zero background.
 * With `minMax` false every map is taken at its level (clipped), as imgly reads its ISNet output.
 * With `sigmoid` the map holds logits and goes through a sigmoid first (in place), as rembg does
 * for BiRefNet before its min-max.
 */
export function outputToMask(
  output: Float32Array,
  offset: number,
  size: number,
  minMax = true,
  sigmoid = false,
): Mask {
  const plane = size * size;
  if (sigmoid) {
    for (let i = offset; i < offset + plane; i++) output[i] = 1 / (1 + Math.exp(-(output[i] ?? 0)));
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  if (minMax) {
    for (let i = offset; i < offset + plane; i++) {
      const v = output[i] ?? 0;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const flat = !minMax || !(max - min > FLAT_RANGE);
  const scale = flat ? 1 : 1 / (max - min);
  const shift = flat ? 0 : min;
  const data = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) {
    const p = ((output[offset + i] ?? 0) - shift) * scale;
    // NaN fails both comparisons and lands on 0.
    data[i] = p >= 1 ? 255 : p > 0 ? Math.floor(p * 255) : 0;
  }
  return { data, width: size, height: size };
}

/** Resizes a mask to width x height with Lanczos-3 (undoing the stretch); values clip to 0..255. */
export async function resizeMask(mask: Mask, width: number, height: number): Promise<Mask> {
  if (mask.width === width && mask.height === height) return mask;
  const data = await sharp(mask.data, {
    raw: { width: mask.width, height: mask.height, channels: 1 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    // sharp widens a one-band raw input to sRGB on output unless told to keep one band.
    .extractChannel(0)
    .raw()
    .toBuffer();
  return { data, width, height };
}

/** Resizes a mask with imgly's corner-aligned bilinear (see `resizeCornerBilinear`). */
export function resizeMaskCorner(mask: Mask, width: number, height: number): Mask {
  if (mask.width === width && mask.height === height) return mask;
  const data = resizeCornerBilinear(mask.data, mask.width, mask.height, 1, width, height);
  return { data, width, height };
}
