import type { Mask, RgbImage } from '../image/raster.ts';
import type { Segmenter } from '../ports.ts';
import { raceAbort, throwIfAborted } from './abortable.ts';
import { outputToMask, resizeMask, resizeMaskCorner } from './postprocess.ts';
import { resizeForModel, toModelTensor } from './preprocess.ts';

/** Milliseconds spent per stage, added to by `segmentImages` when the caller passes one. */
export interface SegmentTimings {
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
}

export interface SegmentOptions {
  /** Adds each stage's milliseconds here. */
  readonly timings?: SegmentTimings;
  /** The images already at the model's input size, same order (the video decoder scales them). */
  readonly modelInputs?: readonly RgbImage[];
  /**
   * Spare input tensors, taken and given back around each inference: a video reuses a couple
   * instead of faulting in megabytes of fresh memory for every batch.
   */
  readonly spareTensors?: Float32Array[];
  /** Brings a model-size mask back to the image's size; the model's `maskKernel` unless given. */
  readonly resizeBack?: (mask: Mask, width: number, height: number) => Mask | Promise<Mask>;
  /**
   * Checked before each batch; an inference call under way is not waited for once it aborts
   * (the runtime cannot stop it; its result is dropped).
   */
  readonly signal?: AbortSignal;
  /** Names the file in the abort's error. */
  readonly label?: string;
}

/**
 * Full-resolution masks (0-255, one per image, same order) from the model, in batches of up to
 * `segmenter.maxBatch`: stretch to the model size, normalise, infer, min-max (or clamp) each map,
 * and stretch the mask back to the image's own size, each as the model's spec says.
 *
 * @throws CutoutError MODEL_UNAVAILABLE when inference fails
 */
export async function segmentImages(
  segmenter: Segmenter,
  images: readonly RgbImage[],
  options: SegmentOptions = {},
): Promise<Mask[]> {
  const { spec } = segmenter;
  const {
    timings,
    modelInputs,
    resizeBack = spec.maskKernel === 'bilinear-corner' ? resizeMaskCorner : resizeMask,
  } = options;
  const minMax = spec.maskMinMax !== false;
  const size = spec.inputSize;
  const batchSize = Math.max(1, segmenter.maxBatch);
  const masks: Mask[] = [];
  for (let start = 0; start < images.length; start += batchSize) {
    throwIfAborted(options.signal, options.label);
    const batch = images.slice(start, start + batchSize);

    let t = performance.now();
    const resized = await Promise.all(
      batch.map(
        (image, i) =>
          modelInputs?.[start + i] ?? resizeForModel(image, size, segmenter.spec.resizeKernel),
      ),
    );
    const length = batch.length * 3 * size * size;
    const buffer = takeTensorBuffer(options.spareTensors, length, batchSize * 3 * size * size);
    const tensor = toModelTensor(resized, segmenter.spec, buffer.subarray(0, length));
    t = lap(timings, 'preprocessMs', t);

    const inference = segmenter.infer(tensor, batch.length);
    // Given back only once inference is done (the runtime reads the tensor until then), even
    // when the caller has stopped waiting.
    void inference.then(
      () => options.spareTensors?.push(buffer),
      () => undefined,
    );
    const output = await raceAbort(inference, options.signal, options.label);
    if (output.length < batch.length * size * size) {
      throw new Error(
        `model ${segmenter.spec.id} returned ${output.length} values for ${batch.length} images of ${size}x${size}`,
      );
    }
    t = lap(timings, 'inferenceMs', t);

    const batchMasks = await Promise.all(
      batch.map((image, i) =>
        resizeBack(
          outputToMask(output, i * size * size, size, minMax, spec.outputSigmoid === true),
          image.width,
          image.height,
        ),
      ),
    );
    masks.push(...batchMasks);
    lap(timings, 'postprocessMs', t);
  }
  return masks;
}

/** A spare buffer of at least `length` floats, or a new one (sized for a full batch when it will be kept). */
function takeTensorBuffer(
  spares: Float32Array[] | undefined,
  length: number,
  fullBatch: number,
): Float32Array {
  const spare = spares?.pop();
  if (spare && spare.length >= length) return spare;
  return new Float32Array(spares ? Math.max(length, fullBatch) : length);
}

function lap(
  timings: SegmentTimings | undefined,
  stage: keyof SegmentTimings,
  since: number,
): number {
  const now = performance.now();
  if (timings) timings[stage] += now - since;
  return now;
}
