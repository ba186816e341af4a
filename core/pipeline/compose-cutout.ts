import type { Mask, RgbImage } from '../image/raster.ts';

/**
 * The transparent cut-out: RGBA with straight alpha. RGB is copied untouched and A is the mask,
 * unlike rembg's default composite, which also scales RGB by the mask and so darkens every
 * soft edge once more when the result is composited.
 */
export function cutoutRgba(image: RgbImage, alpha: Mask): Uint8Array {
  const pixels = image.width * image.height;
  const src = image.data;
  const a = alpha.data;
  const out = new Uint8Array(pixels * 4);
  for (let i = 0, s = 0, d = 0; i < pixels; i++, s += 3, d += 4) {
    out[d] = src[s] ?? 0;
    out[d + 1] = src[s + 1] ?? 0;
    out[d + 2] = src[s + 2] ?? 0;
    out[d + 3] = a[i] ?? 0;
  }
  return out;
}

/**
 * Multiplies two masks (rounded), e.g. the model's alpha with the input's own alpha, so that what
 * was already transparent in the input stays transparent in the cut-out.
 */
export function multiplyMasks(a: Mask, b: Mask): Mask {
  const data = new Uint8Array(a.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.round(((a.data[i] ?? 0) * (b.data[i] ?? 0)) / 255);
  }
  return { data, width: a.width, height: a.height };
}
