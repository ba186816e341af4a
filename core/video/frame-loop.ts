import { CutoutError } from '../errors.ts';
import type { Mask, RgbImage } from '../image/raster.ts';
import type { TemporalSmoother } from './temporal-smoother.ts';
import type { VideoPass } from './video-codec.ts';

/** Model-size masks for a batch of model-size frames, one per frame, in order. */
export type SegmentFrames = (frames: readonly RgbImage[]) => Promise<Mask[]>;

/** A mask reworked against the model-size frame it was inferred from (the `refine` option). */
export type RefineFrameMask = (frame: RgbImage, mask: Mask) => Mask;

export interface FrameLoopInput {
  /** Model-size rgb24 frames out, one mask per frame back in (VideoPass). */
  readonly pass: Pick<VideoPass, 'read' | 'ready' | 'write' | 'release'>;
  readonly size: number;
  /** Frames per inference call. */
  readonly batchSize: number;
  readonly segment: SegmentFrames;
  /** Applied to each mask in frame order; omitted: masks are used as inferred. */
  readonly smoother?: TemporalSmoother | undefined;
  /**
   * Applied to each mask after the smoother, guided by its frame; omitted: masks are written as
   * smoothed. After, not before: the smoother's curves are set for the model's own masks, and
   * refining first stretched the soft edge's wobble past them (more flicker on bench:video's
   * dance clip; docs/refine.md#video).
   */
  readonly refine?: RefineFrameMask | undefined;
  onFrame?(done: number): void;
  readonly signal?: AbortSignal | undefined;
}

interface Segmented {
  readonly frames: readonly RgbImage[];
  readonly masks: Mask[];
}

/**
 * decode -> batched inference -> smoothing -> refine (when asked) -> encode, streaming. A batch
 * is whatever the codec has decoded, up to `batchSize`, so inference never waits for a full batch. Batch k+1 is
 * inferred while batch k is smoothed and written, but only when its frames are already there:
 * the codec stops decoding until it gets the masks it is owed, so those are written before
 * waiting on more frames. Memory stays at two batches whatever the length.
 * @returns the number of masks written
 */
export async function runFrameLoop(input: FrameLoopInput): Promise<number> {
  const { size } = input;
  const frameBytes = size * size * 3;
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
      if (m.width !== size || m.height !== size || m.data.length !== size * size) {
        throw new CutoutError(
          'PROCESSING_FAILED',
          `segmentation returned a ${m.width}x${m.height} mask for ${size}x${size} frames`,
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
      const smoothed = input.smoother ? input.smoother.next(frame.data, mask) : mask;
      const alpha = input.refine
        ? input.refine(frame, { data: smoothed, width: size, height: size }).data
        : smoothed;
      await input.pass.write(alpha);
      written++;
      input.onFrame?.(written);
    }
    // Their masks are written and the smoother keeps its own copy: the codec may refill them.
    input.pass.release?.(frames.map((f) => f.data));
  };

  let pending: Promise<Segmented> | undefined;
  for (;;) {
    input.signal?.throwIfAborted();
    if (pending && input.pass.ready() === 0) {
      await emit(await pending);
      pending = undefined;
    }
    const frames = await input.pass.read(batchSize);
    if (frames === null) break;
    const batch = frames.map((data): RgbImage => {
      if (data.length !== frameBytes) {
        throw new CutoutError(
          'DECODE_FAILED',
          `decoder gave a ${data.length}-byte frame, expected ${frameBytes}`,
        );
      }
      return { data, width: size, height: size };
    });
    const next = infer(batch);
    // Observed below; this only keeps a failure from surfacing as unhandled while we wait.
    next.catch(() => undefined);
    if (pending) await emit(await pending);
    pending = next;
  }
  if (pending) await emit(await pending);
  return written;
}
