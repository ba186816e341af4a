/**
 * Bilinear mask resize in plain typed arrays, for the video path: a model-size mask (320x320)
 * goes back to every frame's size, so the per-frame cost matters more there than the last bit
 * of kernel shape (a Lanczos-3 resize through sharp cost ~10 ms a frame; this costs ~1-2 ms).
 * Sample positions are pixel-centre aligned (output centre (i + 0.5) maps to source
 * (i + 0.5) * src / dst), the convention of the downscale that made the model input; sharp's
 * upscale sits about half an output pixel left of that, so edges differ by that much at most.
 */

interface Axis {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Weight of `hi`, 0..256. */
  readonly w: Int32Array;
}

const axisCache = new Map<string, Axis>();

function axis(src: number, dst: number): Axis {
  const key = `${src}:${dst}`;
  const cached = axisCache.get(key);
  if (cached) return cached;
  const lo = new Int32Array(dst);
  const hi = new Int32Array(dst);
  const w = new Int32Array(dst);
  const scale = src / dst;
  for (let i = 0; i < dst; i++) {
    const s = Math.min(src - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const l = Math.floor(s);
    lo[i] = l;
    hi[i] = Math.min(src - 1, l + 1);
    w[i] = Math.round((s - l) * 256);
  }
  const made = { lo, hi, w };
  // A video keeps one size for its whole length: a handful of entries is plenty.
  if (axisCache.size > 16) axisCache.clear();
  axisCache.set(key, made);
  return made;
}

/**
 * @param src a one-byte-per-pixel mask, srcWidth*srcHeight bytes
 * @returns a new dstWidth*dstHeight mask
 */
export function resizeMaskBilinear(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
): Uint8Array {
  if (src.length !== srcWidth * srcHeight) {
    throw new RangeError(`mask has ${src.length} bytes, expected ${srcWidth}x${srcHeight}`);
  }
  const out = new Uint8Array(dstWidth * dstHeight);
  if (srcWidth === dstWidth && srcHeight === dstHeight) {
    out.set(src);
    return out;
  }
  const ax = axis(srcWidth, dstWidth);
  const ay = axis(srcHeight, dstHeight);
  // Horizontal pass over every source row, in 8.8 fixed point (at most 255*256).
  const rows = new Uint16Array(srcHeight * dstWidth);
  for (let y = 0; y < srcHeight; y++) {
    const s = y * srcWidth;
    const d = y * dstWidth;
    for (let x = 0; x < dstWidth; x++) {
      const wx = ax.w[x] as number;
      rows[d + x] =
        (src[s + (ax.lo[x] as number)] as number) * (256 - wx) +
        (src[s + (ax.hi[x] as number)] as number) * wx;
    }
  }
  for (let y = 0; y < dstHeight; y++) {
    const wy = ay.w[y] as number;
    const a = (ay.lo[y] as number) * dstWidth;
    const b = (ay.hi[y] as number) * dstWidth;
    const o = y * dstWidth;
    for (let x = 0; x < dstWidth; x++) {
      out[o + x] =
        ((rows[a + x] as number) * (256 - wy) + (rows[b + x] as number) * wy + 32768) >>> 16;
    }
  }
  return out;
}
