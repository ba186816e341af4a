import { CutoutError, invalidField } from '../errors.ts';
import type { Mask, RgbImage } from '../image/raster.ts';
import { BandAlpha } from './alpha-source.ts';
import { type ClosedFormOptions, estimateAlphaCf } from './closed-form-alpha.ts';
import type { MatteTimings } from './matte-image.ts';
import { estimateForegroundMl } from './multilevel-foreground.ts';
import type { UnknownSet } from './unknown-set.ts';

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
  const solvedAt = performance.now();
  // The foreground reads the solved values where they are: no image-sized float alpha plane.
  const fg = estimateForegroundMl(image, new BandAlpha(trimap.data, solved.unknown, solved.values));
  const done = performance.now();
  const a8 = alpha8(trimap.data, solved.unknown, solved.values);
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

/** The 8-bit alpha: 255 / 0 from the trimap, the solved values (rounded as a float32 plane would be) in the band. */
function alpha8(trimap: Uint8Array, unknown: UnknownSet, values: Float64Array): Uint8Array {
  const a8 = new Uint8Array(trimap.length);
  for (let i = 0; i < trimap.length; i++) a8[i] = (trimap[i] as number) >= 230 ? 255 : 0;
  for (let y = 0; y < unknown.height; y++) {
    const end = unknown.rowStart[y + 1] as number;
    for (let p = unknown.rowStart[y] as number; p < end; p++) {
      a8[y * unknown.width + (unknown.xs[p] as number)] = Math.round(
        Math.fround(values[p] as number) * 255,
      );
    }
  }
  return a8;
}
