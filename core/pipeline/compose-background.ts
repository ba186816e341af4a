import type { Mask, RgbImage } from '../image/raster.ts';
import type { Rgba } from '../params/field-schemas.ts';

/** An interleaved raster ready to encode. */
export interface EncodableRaster {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

/**
 * The cut-out composited over a solid colour with straight alpha ("over"):
 * out = a*I + (1-a)*C. An opaque colour gives an opaque RGB result; a colour with alpha gives
 * RGBA where A = a + c_a(1-a) and RGB is un-premultiplied by it.
 */
export function composeOverColor(image: RgbImage, alpha: Mask, color: Rgba): EncodableRaster {
  const pixels = image.width * image.height;
  const src = image.data;
  const { r, g, b } = color;
  const { width, height } = image;
  if (color.alpha === 255) {
    const out = new Uint8Array(pixels * 3);
    for (let i = 0, s = 0; i < pixels; i++, s += 3) {
      const a = alpha.data[i] ?? 0;
      const k = 255 - a;
      out[s] = Math.round(((src[s] ?? 0) * a + r * k) / 255);
      out[s + 1] = Math.round(((src[s + 1] ?? 0) * a + g * k) / 255);
      out[s + 2] = Math.round(((src[s + 2] ?? 0) * a + b * k) / 255);
    }
    return { data: out, width, height, channels: 3 };
  }
  const out = new Uint8Array(pixels * 4);
  const ca = color.alpha / 255;
  for (let i = 0, s = 0, d = 0; i < pixels; i++, s += 3, d += 4) {
    const a = (alpha.data[i] ?? 0) / 255;
    const under = ca * (1 - a);
    const outA = a + under;
    if (outA === 0) continue; // fully transparent: RGBA 0,0,0,0
    out[d] = Math.round(((src[s] ?? 0) * a + r * under) / outA);
    out[d + 1] = Math.round(((src[s + 1] ?? 0) * a + g * under) / outA);
    out[d + 2] = Math.round(((src[s + 2] ?? 0) * a + b * under) / outA);
    out[d + 3] = Math.round(outA * 255);
  }
  return { data: out, width, height, channels: 4 };
}

/** The cut-out over a background image of the same size: out = a*I + (1-a)*B, opaque RGB. */
export function composeOverImage(image: RgbImage, alpha: Mask, background: RgbImage): RgbImage {
  const pixels = image.width * image.height;
  const src = image.data;
  const bg = background.data;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, s = 0; i < pixels; i++, s += 3) {
    const a = alpha.data[i] ?? 0;
    const k = 255 - a;
    out[s] = Math.round(((src[s] ?? 0) * a + (bg[s] ?? 0) * k) / 255);
    out[s + 1] = Math.round(((src[s + 1] ?? 0) * a + (bg[s + 1] ?? 0) * k) / 255);
    out[s + 2] = Math.round(((src[s + 2] ?? 0) * a + (bg[s + 2] ?? 0) * k) / 255);
  }
  return { data: out, width: image.width, height: image.height };
}
