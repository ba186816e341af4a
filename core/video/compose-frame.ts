import type { Rgba } from '../params/field-schemas.ts';

/**
 * Per-frame compositing of a decoded frame (rgb24) with its alpha (one byte per pixel).
 * Colours stay straight (not premultiplied): alpha codecs store straight alpha.
 * These run once per pixel per frame on the main thread, so they stay in integer math:
 * `div255` is round-half-up of x/255 without a division.
 */

/** floor((x + 127) / 255) for 0 <= x <= 65025, exactly. */
function div255(x: number): number {
  const y = x + 127;
  return (y + 1 + (y >> 8)) >> 8;
}

// Uint32 stores are little-endian on every platform Node runs on; checked once.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function withAlpha(rgb: Uint8Array, alpha: Uint8Array): Uint8Array {
  const n = alpha.length;
  const out = new Uint8Array(n * 4);
  if (LITTLE_ENDIAN) {
    // One 32-bit store per pixel instead of four byte stores.
    const out32 = new Uint32Array(out.buffer, 0, n);
    for (let p = 0, i = 0; p < n; p++, i += 3) {
      out32[p] =
        (rgb[i] as number) |
        ((rgb[i + 1] as number) << 8) |
        ((rgb[i + 2] as number) << 16) |
        ((alpha[p] as number) << 24);
    }
    return out;
  }
  for (let p = 0, i = 0, o = 0; p < n; p++, i += 3, o += 4) {
    out[o] = rgb[i] as number;
    out[o + 1] = rgb[i + 1] as number;
    out[o + 2] = rgb[i + 2] as number;
    out[o + 3] = alpha[p] as number;
  }
  return out;
}

/** The subject over a background frame of the same size, both rgb24. */
export function overImage(rgb: Uint8Array, alpha: Uint8Array, background: Uint8Array): Uint8Array {
  const n = alpha.length;
  const out = new Uint8Array(n * 3);
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    const a = alpha[p] as number;
    if (a === 255) {
      out[i] = rgb[i] as number;
      out[i + 1] = rgb[i + 1] as number;
      out[i + 2] = rgb[i + 2] as number;
    } else if (a === 0) {
      out[i] = background[i] as number;
      out[i + 1] = background[i + 1] as number;
      out[i + 2] = background[i + 2] as number;
    } else {
      const k = 255 - a;
      out[i] = div255((rgb[i] as number) * a + (background[i] as number) * k);
      out[i + 1] = div255((rgb[i + 1] as number) * a + (background[i + 1] as number) * k);
      out[i + 2] = div255((rgb[i + 2] as number) * a + (background[i + 2] as number) * k);
    }
  }
  return out;
}

/** The subject over a flat colour (its own alpha ignored: the result is opaque). */
export function overColor(rgb: Uint8Array, alpha: Uint8Array, color: Rgba): Uint8Array {
  const n = alpha.length;
  const out = new Uint8Array(n * 3);
  const { r, g, b } = color;
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    const a = alpha[p] as number;
    if (a === 0) {
      out[i] = r;
      out[i + 1] = g;
      out[i + 2] = b;
    } else if (a === 255) {
      out[i] = rgb[i] as number;
      out[i + 1] = rgb[i + 1] as number;
      out[i + 2] = rgb[i + 2] as number;
    } else {
      const k = 255 - a;
      out[i] = div255((rgb[i] as number) * a + r * k);
      out[i + 1] = div255((rgb[i + 1] as number) * a + g * k);
      out[i + 2] = div255((rgb[i + 2] as number) * a + b * k);
    }
  }
  return out;
}
