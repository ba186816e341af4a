import type { Rgba } from '../params/field-schemas.ts';

/**
 * Per-frame compositing of a decoded frame (rgb24) with its alpha (one byte per pixel).
 * Colours stay straight (not premultiplied): alpha codecs store straight alpha.
 */

export function withAlpha(rgb: Uint8Array, alpha: Uint8Array): Uint8Array {
  const n = alpha.length;
  const out = new Uint8Array(n * 4);
  for (let p = 0, i = 0, o = 0; p < n; p++, i += 3, o += 4) {
    out[o] = rgb[i] ?? 0;
    out[o + 1] = rgb[i + 1] ?? 0;
    out[o + 2] = rgb[i + 2] ?? 0;
    out[o + 3] = alpha[p] ?? 0;
  }
  return out;
}

/** The subject over a background frame of the same size, both rgb24. */
export function overImage(rgb: Uint8Array, alpha: Uint8Array, background: Uint8Array): Uint8Array {
  const n = alpha.length;
  const out = new Uint8Array(n * 3);
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    const a = alpha[p] ?? 0;
    if (a === 255) {
      out[i] = rgb[i] ?? 0;
      out[i + 1] = rgb[i + 1] ?? 0;
      out[i + 2] = rgb[i + 2] ?? 0;
    } else if (a === 0) {
      out[i] = background[i] ?? 0;
      out[i + 1] = background[i + 1] ?? 0;
      out[i + 2] = background[i + 2] ?? 0;
    } else {
      const r = background[i] as number;
      const g = background[i + 1] as number;
      const b = background[i + 2] as number;
      const k = 255 - a;
      out[i] = ((rgb[i] as number) * a + r * k + 127) / 255;
      out[i + 1] = ((rgb[i + 1] as number) * a + g * k + 127) / 255;
      out[i + 2] = ((rgb[i + 2] as number) * a + b * k + 127) / 255;
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
      out[i] = ((rgb[i] as number) * a + r * k + 127) / 255;
      out[i + 1] = ((rgb[i + 1] as number) * a + g * k + 127) / 255;
      out[i + 2] = ((rgb[i + 2] as number) * a + b * k + 127) / 255;
    }
  }
  return out;
}
