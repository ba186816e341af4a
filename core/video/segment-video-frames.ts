import type { Mask, RgbImage } from '../image/raster.ts';
import { type SegmentTimings, segmentImages } from '../pipeline/segment-images.ts';
import type { Segmenter } from '../ports.ts';

const keepModelSize = (mask: Mask): Mask => mask;

/**
 * `segmentImages` for video: the frames come already at the model's input size (scaled by the
 * decoder with the model's kernel) and the masks stay at that size, because the encoder scales
 * them to the frame in the same pass that composes it. Same normalisation, model and min-max as
 * for images. A video passes `spareTensors` (one list for its whole length) to reuse the input
 * tensors.
 *
 * @throws CutoutError MODEL_UNAVAILABLE when inference fails
 */
export function segmentVideoFrames(
  segmenter: Segmenter,
  modelFrames: readonly RgbImage[],
  options: { readonly timings?: SegmentTimings; readonly spareTensors?: Float32Array[] } = {},
): Promise<Mask[]> {
  return segmentImages(segmenter, modelFrames, {
    ...options,
    modelInputs: modelFrames,
    resizeBack: keepModelSize,
  });
}
