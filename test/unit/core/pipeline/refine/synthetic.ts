import type { Mask, RgbImage } from '../../../../../core/image/raster.ts';

/** A disc of one colour on a background of another: the image and its exact mask. */
export function discScene(
  width: number,
  height: number,
  radius: number,
): { image: RgbImage; truth: Mask } {
  const image = new Uint8Array(width * height * 3);
  const truth = new Uint8Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < radius ** 2;
      truth[i] = inside ? 255 : 0;
      const rgb = inside ? [200, 60, 40] : [40, 90, 200];
      for (let c = 0; c < 3; c++) image[3 * i + c] = rgb[c] ?? 0;
    }
  }
  return { image: { data: image, width, height }, truth: { data: truth, width, height } };
}

/** Deterministic pseudo-random numbers in [0, 1) (a fixed LCG), so the tests never vary. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * The truth as a model might give it: the edge blurred over a few pixels (a box blur of the
 * given radius), the certain regions short of 0 and 255, and noise on top.
 */
export function modelLikeMask(truth: Mask, blur: number, noise: number, seed = 1): Mask {
  const { width, height } = truth;
  const random = lcg(seed);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -blur; dy <= blur; dy++) {
        for (let dx = -blur; dx <= blur; dx++) {
          const yy = Math.min(height - 1, Math.max(0, y + dy));
          const xx = Math.min(width - 1, Math.max(0, x + dx));
          sum += truth.data[yy * width + xx] ?? 0;
          n++;
        }
      }
      const v = 6 + (sum / n) * (238 / 255) + (random() - 0.5) * 2 * noise;
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { data, width, height };
}

export function meanAbsError(a: Mask, b: Mask): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
  return sum / a.data.length / 255;
}
