import type { Mask, RgbImage } from '../image/raster.ts';
import { shiftMask } from './refine-mask.ts';

/** Alpha below this counts as removed background when the background colour is estimated. */
const REMOVED_BELOW = 16;
/** Only removed pixels this close (pixels) to the kept subject are sampled: the colour that bleeds. */
const RING_RADIUS = 8;

export interface DespillResult {
  /** The colours with the background's share taken out of every partly transparent pixel. */
  readonly rgb: RgbImage;
  /** The estimated background colour; undefined when nothing near the subject was removed. */
  readonly background: { readonly r: number; readonly g: number; readonly b: number } | undefined;
}

/**
 * `despill`: removes the removed background's colour from the subject's soft edge.
 *
 * An edge pixel of alpha a was seen as C = a*F + (1 - a)*B: the subject's colour F mixed with
 * the background B behind it. B is estimated as the mean colour of the removed pixels (alpha
 * under 16) within 8 pixels of the kept subject, where the bleeding comes from; then each pixel
 * with 0 < alpha < 255 gets F = (C - (1 - a)*B) / a, clamped to 0..255. Opaque and fully
 * transparent pixels are untouched. Pixels that `sampleable` marks not fully opaque (the
 * input's own transparency, whose colours are arbitrary) are not sampled.
 */
export function despill(rgb: RgbImage, mask: Mask, sampleable?: Mask): DespillResult {
  const { width, height } = rgb;
  const pixels = width * height;
  const kept = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) kept[i] = (mask.data[i] ?? 0) >= REMOVED_BELOW ? 255 : 0;
  const near = shiftMask({ data: kept, width, height }, RING_RADIUS).data;

  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let i = 0; i < pixels; i++) {
    if (kept[i] !== 0 || near[i] === 0) continue;
    if (sampleable && sampleable.data[i] !== 255) continue;
    r += rgb.data[i * 3] ?? 0;
    g += rgb.data[i * 3 + 1] ?? 0;
    b += rgb.data[i * 3 + 2] ?? 0;
    n++;
  }
  if (n === 0) return { rgb, background: undefined };
  const background = { r: r / n, g: g / n, b: b / n };
  const bg = [background.r, background.g, background.b];

  const data = Uint8Array.from(rgb.data);
  for (let i = 0; i < pixels; i++) {
    const alpha = mask.data[i] ?? 0;
    if (alpha === 0 || alpha === 255) continue;
    const a = alpha / 255;
    for (let c = 0; c < 3; c++) {
      const observed = data[i * 3 + c] ?? 0;
      const unmixed = (observed - (1 - a) * (bg[c] ?? 0)) / a;
      data[i * 3 + c] = unmixed <= 0 ? 0 : unmixed >= 255 ? 255 : Math.round(unmixed);
    }
  }
  return {
    rgb: { data, width, height },
    background: {
      r: Math.round(background.r),
      g: Math.round(background.g),
      b: Math.round(background.b),
    },
  };
}
