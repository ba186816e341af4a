import type { Mask } from '../image/raster.ts';

/**
 * rembg's opt-in `post_process_mask`: a grey opening with a 3x3 cross (removes specks and
 * one-pixel spurs), a Gaussian blur with sigma 2 (scipy defaults: reflect borders, radius 8),
 * then a hard threshold (below 127 -> 0, else 255). The result is binary.
 */
export function postProcessMask(mask: Mask): Mask {
  const opened = crossFilter(crossFilter(mask, Math.min), Math.max);
  const blurred = gaussianBlur(opened.data, mask.width, mask.height, 2);
  const data = new Uint8Array(blurred.length);
  for (let i = 0; i < blurred.length; i++) data[i] = (blurred[i] ?? 0) < 127 ? 0 : 255;
  return { data, width: mask.width, height: mask.height };
}

/** Min (erosion) or max (dilation) over the pixel and its 4 neighbours that lie inside the image. */
function crossFilter(mask: Mask, pick: (a: number, b: number) => number): Mask {
  const { width, height, data } = mask;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let v = data[i] ?? 0;
      if (x > 0) v = pick(v, data[i - 1] ?? 0);
      if (x < width - 1) v = pick(v, data[i + 1] ?? 0);
      if (y > 0) v = pick(v, data[i - width] ?? 0);
      if (y < height - 1) v = pick(v, data[i + width] ?? 0);
      out[i] = v;
    }
  }
  return { data: out, width, height };
}

/** Normalised Gaussian weights for offsets -radius..radius, radius = round(4 sigma) as scipy. */
export function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.floor(4 * sigma + 0.5);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const w = Math.exp((-0.5 * k * k) / (sigma * sigma));
    kernel[k + radius] = w;
    sum += w;
  }
  for (let k = 0; k < kernel.length; k++) kernel[k] = (kernel[k] ?? 0) / sum;
  return kernel;
}

/** scipy's "reflect" border: the edge sample repeats (d c b a | a b c d | d c b a). */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

/** For each position and tap, the source index after reflection: computed once per axis. */
function reflectedTaps(n: number, radius: number): Int32Array {
  const taps = 2 * radius + 1;
  const table = new Int32Array(n * taps);
  for (let i = 0; i < n; i++) {
    for (let k = -radius; k <= radius; k++) table[i * taps + k + radius] = reflectIndex(i + k, n);
  }
  return table;
}

/** Separable Gaussian blur in float64, rows then columns. */
function gaussianBlur(
  data: Uint8Array,
  width: number,
  height: number,
  sigma: number,
): Float64Array {
  const kernel = gaussianKernel(sigma);
  const taps = kernel.length;
  const radius = (taps - 1) / 2;
  const xs = reflectedTaps(width, radius);
  const ys = reflectedTaps(height, radius);
  const rows = new Float64Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        acc += (kernel[k] ?? 0) * (data[row + (xs[x * taps + k] ?? 0)] ?? 0);
      }
      rows[row + x] = acc;
    }
  }
  const out = new Float64Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        acc += (kernel[k] ?? 0) * (rows[(ys[y * taps + k] ?? 0) * width + x] ?? 0);
      }
      out[y * width + x] = acc;
    }
  }
  return out;
}
