import { CutoutError } from '../errors.ts';
import type { Mask, RgbImage } from '../image/raster.ts';
import type { AlphaMattingOptions } from '../params/convert-params.ts';
import { resizeMask } from '../pipeline/postprocess.ts';
import { estimateAlphaCf, fullAlpha } from './closed-form-alpha.ts';
import { DEFAULT_MAX_UNKNOWN_PIXELS, type MattingLimits } from './matting-limits.ts';
import { estimateForegroundMl } from './multilevel-foreground.ts';
import { resizeRgb, upscalePlane, workingSize } from './resample.ts';
import { buildTrimap, TRIMAP_UNKNOWN } from './trimap.ts';

export interface MatteTimings {
  readonly unknownPixels: number;
  readonly alphaMs: number;
  readonly foregroundMs: number;
}

export interface MatteResult {
  /** Final full-resolution alpha. */
  readonly alpha: Mask;
  /** Full-resolution RGB to pair with `alpha` (straight, not premultiplied). */
  readonly foreground: RgbImage;
  readonly warnings: string[];
  readonly timings?: MatteTimings;
}

/**
 * Alpha matting of one image from the model's soft mask.
 *
 * The matting runs on a copy whose longest side is at most `baseSize` (the image itself when it
 * is smaller). Back at full size, alpha is the bilinear upscale of the solved alpha, which is
 * exactly 0 or 1 away from the unknown band; the RGB is the original pixels wherever alpha is
 * 0 or 1 and the estimated foreground colour (upscaled the same way) only inside the band, so
 * full-resolution detail survives everywhere except the soft edge itself.
 *
 * Never throws for matting reasons: an empty trimap side, more unknown pixels than
 * `limits.maxUnknownPixels` (the solver's memory grows with them) or a failed solve returns the
 * plain mask and the original pixels with a warning.
 */
export async function matteImage(
  image: RgbImage,
  mask: Mask,
  options: AlphaMattingOptions,
  limits: MattingLimits = {},
): Promise<MatteResult> {
  if (image.width !== mask.width || image.height !== mask.height) {
    throw new CutoutError(
      'INTERNAL',
      `alpha matting: mask ${mask.width}x${mask.height} does not match image ${image.width}x${image.height}`,
    );
  }
  const plain = (reason: string): MatteResult => ({
    alpha: mask,
    foreground: image,
    warnings: [`alpha matting skipped: ${reason}; the plain mask was used`],
  });
  try {
    return await matte(image, mask, options, plain, limits);
  } catch (error) {
    return plain(error instanceof Error ? error.message : String(error));
  }
}

async function matte(
  image: RgbImage,
  mask: Mask,
  options: AlphaMattingOptions,
  plain: (reason: string) => MatteResult,
  limits: MattingLimits,
): Promise<MatteResult> {
  const { width, height } = image;
  const work = workingSize(width, height, options.baseSize);
  const scaled = work.scale < 1;
  const wImage = scaled ? await resizeRgb(image, work.width, work.height) : image;
  const wMask = scaled ? await resizeMask(mask, work.width, work.height) : mask;
  const trimap = buildTrimap(wMask, options);
  const maxUnknown = limits.maxUnknownPixels ?? DEFAULT_MAX_UNKNOWN_PIXELS;
  const unknown = countUnknown(trimap);
  if (unknown > maxUnknown) {
    return plain(
      `${unknown} unknown pixels, over the limit of ${maxUnknown} ` +
        '(a smaller alpha_base_size or alpha_erode makes fewer)',
    );
  }

  const start = performance.now();
  const solved = estimateAlphaCf(wImage, trimap, {
    initialAlpha: (x, y) => (wMask.data[y * work.width + x] as number) / 255,
  });
  if (!solved.ok) return plain(solved.reason);
  const alpha = fullAlpha(trimap, solved);
  const solvedAt = performance.now();
  const fg = estimateForegroundMl(wImage, alpha);
  const done = performance.now();

  const outAlpha = new Uint8Array(width * height);
  const outRgb = new Uint8Array(image.data);
  if (!scaled) {
    for (let i = 0; i < alpha.length; i++) {
      const a = alpha[i] as number;
      outAlpha[i] = Math.round(a * 255);
      if (a > 0 && a < 1) for (let c = 0; c < 3; c++) outRgb[i * 3 + c] = fg[i * 3 + c] as number;
    }
  } else {
    upscalePlane(alpha, work.width, work.height, width, height, (i, a) => {
      outAlpha[i] = Math.round(a * 255);
    });
    for (let c = 0; c < 3; c++) {
      const plane = new Float32Array(work.width * work.height);
      for (let i = 0; i < plane.length; i++) plane[i] = (fg[i * 3 + c] as number) / 255;
      upscalePlane(plane, work.width, work.height, width, height, (i, v) => {
        const a = outAlpha[i] as number;
        if (a > 0 && a < 255) outRgb[i * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      });
    }
  }
  return {
    alpha: { data: outAlpha, width, height },
    foreground: { data: outRgb, width, height },
    warnings: [],
    timings: {
      unknownPixels: solved.unknown.count,
      alphaMs: solvedAt - start,
      foregroundMs: done - solvedAt,
    },
  };
}

/** Pixels the working trimap leaves unknown (buildTrimap writes only 0, 128 and 255). */
function countUnknown(trimap: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < trimap.length; i++) if (trimap[i] === TRIMAP_UNKNOWN) count++;
  return count;
}
