import { CutoutError } from '../errors.ts';
import type { Mask, RgbImage } from '../image/raster.ts';
import type { TemporalSmoother } from './temporal-smoother.ts';

/**
 * Full-resolution masks for a batch of frames, one per frame, in order. `modelFrames`, when
 * given, are the same frames already at the model's input size (decoded that way by the codec).
 */
export type SegmentFrames = (
  frames: readonly RgbImage[],
  modelFrames?: readonly RgbImage[],
) => Promise<Mask[]>;

export interface FrameLoopInput {
  /**
   * rgb24 frames, each width*height*3 bytes, or followed by the frame at modelSize x modelSize
   * when `modelSize` is set and the codec provided it.
   */
  readonly frames: AsyncIterable<Uint8Array>;
  readonly modelSize?: number | undefined;
  readonly width: number;
  readonly height: number;
  /** Frames per inference call. */
  readonly batchSize: number;
  readonly segment: SegmentFrames;
  /** Applied to each mask in frame order; omitted: masks are used as inferred. */
  readonly smoother?: TemporalSmoother | undefined;
  /** Turns a frame and its alpha into the bytes the encoder takes. */
  compose(rgb: Uint8Array, alpha: Uint8Array, index: number): Promise<Uint8Array> | Uint8Array;
  readonly sink: { write(frame: Uint8Array): Promise<void> };
  onFrame?(done: number): void;
  readonly signal?: AbortSignal | undefined;
}

interface Segmented {
  readonly frames: readonly RgbImage[];
  readonly modelFrames?: readonly RgbImage[];
  readonly masks: Mask[];
}

/**
 * decode -> batched inference -> smoothing -> compose -> encode, streaming. At most two batches
 * are in memory: inference of batch k+1 runs while batch k is composed and written, and reading
 * waits on the writer, so memory does not grow with the length of the video.
 * @returns the number of frames written
 */
export async function runFrameLoop(input: FrameLoopInput): Promise<number> {
  const { width, height } = input;
  const frameBytes = width * height * 3;
  const batchSize = Math.max(1, Math.floor(input.batchSize));
  let written = 0;

  const modelSize = input.modelSize ?? 0;
  const withModelBytes = frameBytes + modelSize * modelSize * 3;

  const infer = async (frames: RgbImage[], modelFrames: RgbImage[]): Promise<Segmented> => {
    const masks = await input.segment(
      frames,
      modelFrames.length === frames.length ? modelFrames : undefined,
    );
    if (masks.length !== frames.length) {
      throw new CutoutError(
        'PROCESSING_FAILED',
        `segmentation returned ${masks.length} masks for ${frames.length} frames`,
      );
    }
    for (const m of masks) {
      if (m.width !== width || m.height !== height || m.data.length !== width * height) {
        throw new CutoutError(
          'PROCESSING_FAILED',
          `segmentation returned a ${m.width}x${m.height} mask for ${width}x${height} frames`,
        );
      }
    }
    return { frames, masks };
  };

  const emit = async ({ frames, masks }: Segmented): Promise<void> => {
    for (let i = 0; i < frames.length; i++) {
      input.signal?.throwIfAborted();
      const frame = frames[i] as RgbImage;
      const mask = (masks[i] as Mask).data;
      const alpha = input.smoother ? input.smoother.next(frame.data, mask) : mask;
      const out = await input.compose(frame.data, alpha, written);
      await input.sink.write(out);
      written++;
      input.onFrame?.(written);
    }
  };

  let pending: Promise<Segmented> | undefined;
  let batch: RgbImage[] = [];
  let modelBatch: RgbImage[] = [];
  const flush = async (): Promise<void> => {
    const next = infer(batch, modelBatch);
    // Observed below; this only keeps a failure from surfacing as unhandled while we wait.
    next.catch(() => undefined);
    batch = [];
    modelBatch = [];
    if (pending) await emit(await pending);
    pending = next;
  };

  for await (const data of input.frames) {
    input.signal?.throwIfAborted();
    if (modelSize > 0 && data.length === withModelBytes) {
      batch.push({ data: data.subarray(0, frameBytes), width, height });
      modelBatch.push({ data: data.subarray(frameBytes), width: modelSize, height: modelSize });
    } else if (data.length === frameBytes) {
      batch.push({ data, width, height });
    } else {
      throw new CutoutError(
        'DECODE_FAILED',
        `decoder gave a ${data.length}-byte frame, expected ${frameBytes}`,
      );
    }
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  if (pending) await emit(await pending);
  return written;
}
