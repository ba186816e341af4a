import { CutoutError } from '../errors.ts';

/**
 * Largest input the pipeline decodes by default: 64 megapixels (an 8000x8000 photo). Decoded,
 * that is about 256 MB of RGBA, which keeps one worker's peak memory bounded; callers pass
 * their own limit through `maxPixels`.
 */
export const DEFAULT_MAX_PIXELS = 64_000_000;

/**
 * Refuses an image whose declared size is over the limit, before any pixel is decoded.
 * @throws CutoutError INPUT_TOO_LARGE naming the file and its size
 */
export function assertWithinPixelLimit(
  width: number,
  height: number,
  maxPixels: number,
  label: string,
): void {
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw new CutoutError(
      'INPUT_TOO_LARGE',
      `${width}x${height} is ${formatMegapixels(pixels)}, over the limit of ${formatMegapixels(maxPixels)}`,
      { field: label, file: label },
    );
  }
}

function formatMegapixels(pixels: number): string {
  return pixels >= 1_000_000 ? `${(pixels / 1_000_000).toFixed(1)} megapixels` : `${pixels} pixels`;
}
