import type { Mask, RgbImage } from '../image/raster.ts';
import { type SegmentTimings, segmentImages } from '../pipeline/segment-images.ts';
import type { Segmenter } from '../ports.ts';
import { resizeMaskBilinear } from './upscale-mask.ts';

/**
 * `segmentImages` for video frames: the same preprocessing and model, except that the frames
 * may come already at the model's size (`modelFrames`, scaled by the decoder with the model's
 * kernel, so no per-frame resize runs here), and the mask goes back to
 * frame size with a bilinear resize in typed arrays instead of sharp's Lanczos-3, which was a
 * tenth of the per-frame budget. A 320-pixel mask upscaled bilinearly differs from the Lanczos
 * one by a pixel or two at the edges, well inside the temporal smoother's own change.
 *
 * @throws CutoutError MODEL_UNAVAILABLE when inference fails
 */
export function segmentVideoFrames(
  segmenter: Segmenter,
  frames: readonly RgbImage[],
  modelFrames?: readonly RgbImage[],
  timings?: SegmentTimings,
): Promise<Mask[]> {
  return segmentImages(segmenter, frames, {
    timings,
    modelInputs: modelFrames,
    resizeBack: (mask, width, height) => ({
      data: resizeMaskBilinear(mask.data, mask.width, mask.height, width, height),
      width,
      height,
    }),
  });
}
