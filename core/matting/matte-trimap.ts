import { CutoutError, invalidField } from '../errors.ts';
import type { Mask, RgbImage } from '../image/raster.ts';
import { type ClosedFormOptions, estimateAlphaCf, fullAlpha } from './closed-form-alpha.ts';
import type { MatteTimings } from './matte-image.ts';
import { estimateForegroundMl } from './multilevel-foreground.ts';

export interface TrimapMatte {
  readonly alpha: Mask;
  /** The estimated foreground colour of every pixel, as pymatting returns it. */
  readonly foreground: RgbImage;
  readonly timings: MatteTimings;
}

/**
 * Mattes an image with a user-made trimap (pymatting's format: >= 230 foreground, <= 25
 * background, anything else unknown) at full resolution; what `cutout matte` runs.
 *
 * @throws CutoutError INVALID_REQUEST when the trimap has no foreground or background or the
 *   sizes differ, PROCESSING_FAILED when the solver does not converge.
 */
export function matteWithTrimap(
  image: RgbImage,
  trimap: Mask,
  options: ClosedFormOptions = {},
): TrimapMatte {
  const { width, height } = image;
  if (trimap.width !== width || trimap.height !== height) {
    throw invalidField(
      'trimap',
      `${trimap.width}x${trimap.height} does not match the image's ${width}x${height}`,
    );
  }
  const start = performance.now();
  const solved = estimateAlphaCf(image, trimap.data, options);
  if (!solved.ok) {
    if (solved.fault === 'trimap') throw invalidField('trimap', solved.reason);
    throw new CutoutError('PROCESSING_FAILED', solved.reason, {
      field: 'trimap',
      subject: 'trimap',
    });
  }
  const alpha = fullAlpha(trimap.data, solved);
  const solvedAt = performance.now();
  const fg = estimateForegroundMl(image, alpha);
  const done = performance.now();
  const a8 = new Uint8Array(alpha.length);
  for (let i = 0; i < alpha.length; i++) a8[i] = Math.round((alpha[i] as number) * 255);
  return {
    alpha: { data: a8, width, height },
    foreground: { data: fg, width, height },
    timings: {
      unknownPixels: solved.unknown.count,
      alphaMs: solvedAt - start,
      foregroundMs: done - solvedAt,
    },
  };
}
