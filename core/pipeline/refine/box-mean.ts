/**
 * The mean of `src` over the (2r+1)x(2r+1) window around each pixel, the window clipped to the
 * image (so border pixels average fewer samples, not zeros). Separable running sums: the cost
 * does not grow with r.
 */
export function boxMean(
  src: Float32Array,
  width: number,
  height: number,
  r: number,
  out: Float32Array = new Float32Array(src.length),
  scratch: Float32Array = new Float32Array(src.length),
): Float32Array {
  // Rows: windowed sums along x into scratch, divided by each window's width.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x <= Math.min(r, width - 1); x++) sum += src[row + x] ?? 0;
    for (let x = 0; x < width; x++) {
      const lo = Math.max(0, x - r);
      const hi = Math.min(width - 1, x + r);
      scratch[row + x] = sum / (hi - lo + 1);
      const enter = x + r + 1;
      const leave = x - r;
      if (enter < width) sum += src[row + enter] ?? 0;
      if (leave >= 0) sum -= src[row + leave] ?? 0;
    }
  }
  // Columns: the same along y, over the row means.
  const sums = new Float64Array(width);
  for (let y = 0; y <= Math.min(r, height - 1); y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) sums[x] = (sums[x] ?? 0) + (scratch[row + x] ?? 0);
  }
  for (let y = 0; y < height; y++) {
    const lo = Math.max(0, y - r);
    const hi = Math.min(height - 1, y + r);
    const n = hi - lo + 1;
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = (sums[x] ?? 0) / n;
    const enter = y + r + 1;
    const leave = y - r;
    if (enter < height) {
      const e = enter * width;
      for (let x = 0; x < width; x++) sums[x] = (sums[x] ?? 0) + (scratch[e + x] ?? 0);
    }
    if (leave >= 0) {
      const l = leave * width;
      for (let x = 0; x < width; x++) sums[x] = (sums[x] ?? 0) - (scratch[l + x] ?? 0);
    }
  }
  return out;
}
