import type { Mask } from '../../image/raster.ts';

export interface AlphaLevels {
  /** At or below this (0..1) a pixel is certain background and becomes 0. */
  readonly low: number;
  /** At or above this (0..1) a pixel is certain foreground and becomes 255. */
  readonly high: number;
}

/**
 * Stretches a soft alpha plane (0..1, floats, may overshoot) so that the certain regions reach
 * the ends: the model's sigmoid never gives 0 or 1 exactly, which leaves a subject faintly
 * see-through and the background faintly present. Values between `low` and `high` map linearly
 * onto 0..255, so the soft band is kept.
 */
export function applyAlphaLevels(
  alpha: Float32Array,
  width: number,
  height: number,
  { low, high }: AlphaLevels,
): Mask {
  if (!(high > low)) throw new Error(`alpha levels: high (${high}) must exceed low (${low})`);
  const scale = 255 / (high - low);
  const data = new Uint8Array(alpha.length);
  for (let i = 0; i < alpha.length; i++) {
    const v = ((alpha[i] ?? 0) - low) * scale;
    // NaN fails both comparisons and lands on 0.
    data[i] = v >= 255 ? 255 : v > 0 ? Math.round(v) : 0;
  }
  return { data, width, height };
}

/** An 8-bit mask as a 0..1 float plane. */
export function maskToUnit(mask: Mask): Float32Array {
  const out = new Float32Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (mask.data[i] ?? 0) / 255;
  return out;
}
