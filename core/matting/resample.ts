import sharp from 'sharp';
import type { RgbImage } from '../image/raster.ts';

/** The size whose longest side is at most `baseSize` (never enlarged), as backgroundremover's thumbnail. */
export function workingSize(
  width: number,
  height: number,
  baseSize: number,
): { width: number; height: number; scale: number } {
  const longest = Math.max(width, height);
  if (longest <= baseSize) return { width, height, scale: 1 };
  const scale = baseSize / longest;
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
    scale,
  };
}

export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const data = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
}

/**
 * Bilinear upscale of a float plane with pixel centres aligned, calling `visit` for every
 * destination pixel so callers can keep only what they need (the soft band).
 */
export function upscalePlane(
  src: Float32Array,
  sw: number,
  sh: number,
  width: number,
  height: number,
  visit: (index: number, value: number) => void,
): void {
  const fx = sw / width;
  const fy = sh / height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), sh - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const ty = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), sw - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const tx = sx - x0;
      const a = src[y0 * sw + x0] as number;
      const b = src[y0 * sw + x1] as number;
      const c = src[y1 * sw + x0] as number;
      const d = src[y1 * sw + x1] as number;
      const top = a + (b - a) * tx;
      const bottom = c + (d - c) * tx;
      visit(y * width + x, top + (bottom - top) * ty);
    }
  }
}
