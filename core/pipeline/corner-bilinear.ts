/**
 * Bilinear resize with imgly's sampling, so its ISNet weights see their input and give back
 * their mask as imgly's own pipeline does: output pixel x reads source position x * src / dst
 * (corners aligned instead of pixel centres, which shifts the picture by |src / dst - 1| / 2
 * source pixels), neighbours floor/ceil of it clamped to the last pixel, and the blend rounded
 * half up to 8 bits. Input and mask must both go this way: the two shifts then cancel, while one
 * alone moves the mask against the image (measured: IoU 0.836 instead of 0.838 on ISNet).
 *
 * @param data interleaved 8-bit pixels, width*height*channels bytes
 * @returns a new dstWidth*dstHeight*channels array
 */
export function resizeCornerBilinear(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  dstWidth: number,
  dstHeight: number,
): Uint8Array {
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `raster has ${data.length} bytes, expected ${width}x${height}x${channels}`,
    );
  }
  const xs = cornerAxis(width, dstWidth);
  const ys = cornerAxis(height, dstHeight);
  const out = new Uint8Array(dstWidth * dstHeight * channels);
  for (let y = 0; y < dstHeight; y++) {
    const top = (ys.lo[y] ?? 0) * width;
    const bottom = (ys.hi[y] ?? 0) * width;
    const dy = ys.frac[y] ?? 0;
    for (let x = 0; x < dstWidth; x++) {
      const l = xs.lo[x] ?? 0;
      const r = xs.hi[x] ?? 0;
      const dx = xs.frac[x] ?? 0;
      const o = (y * dstWidth + x) * channels;
      for (let c = 0; c < channels; c++) {
        const v =
          (1 - dx) * (1 - dy) * (data[(top + l) * channels + c] ?? 0) +
          dx * (1 - dy) * (data[(top + r) * channels + c] ?? 0) +
          (1 - dx) * dy * (data[(bottom + l) * channels + c] ?? 0) +
          dx * dy * (data[(bottom + r) * channels + c] ?? 0);
        out[o + c] = Math.round(v);
      }
    }
  }
  return out;
}

function cornerAxis(src: number, dst: number) {
  const scale = src / dst;
  const lo = new Int32Array(dst);
  const hi = new Int32Array(dst);
  const frac = new Float64Array(dst);
  for (let i = 0; i < dst; i++) {
    const s = i * scale;
    const l = Math.floor(s);
    lo[i] = l;
    hi[i] = Math.min(Math.ceil(s), src - 1);
    // The weight comes from the unclamped floor, so past the last pixel it blends with itself.
    frac[i] = s - l;
  }
  return { lo, hi, frac };
}
