import { CutoutError } from '../errors.ts';
import type { Mask, RgbImage } from '../image/raster.ts';
import type { TemporalSmoother } from './temporal-smoother.ts';

/** Full-resolution masks for a batch of frames, one per frame, in order. */
export type SegmentFrames = (frames: readonly RgbImage[]) => Promise<Mask[]>;

export interface FrameLoopInput {
  /** rgb24 frames, each width*height*3 bytes. */
  readonly frames: AsyncIterable<Uint8Array>;
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

  const infer = async (frames: RgbImage[]): Promise<Segmented> => {
    const masks = await input.segment(frames);
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
  const flush = async (): Promise<void> => {
    const next = infer(batch);
    // Observed below; this only keeps a failure from surfacing as unhandled while we wait.
    next.catch(() => undefined);
    batch = [];
    if (pending) await emit(await pending);
    pending = next;
  };

  for await (const data of input.frames) {
    input.signal?.throwIfAborted();
    if (data.length !== frameBytes) {
      throw new CutoutError(
        'DECODE_FAILED',
        `decoder gave a ${data.length}-byte frame, expected ${frameBytes}`,
      );
    }
    batch.push({ data, width, height });
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  if (pending) await emit(await pending);
  return written;
}
