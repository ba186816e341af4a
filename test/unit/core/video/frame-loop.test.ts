import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import type { Mask, RgbImage } from '../../../../core/image/raster.ts';
import { runFrameLoop } from '../../../../core/video/frame-loop.ts';

const W = 4;
const H = 2;

async function* frames(count: number, bytes = W * H * 3): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield new Uint8Array(bytes).fill(i);
}

/** Mask value = the frame's first byte, so outputs can be traced back to their frames. */
function echoSegment(batches: number[]) {
  return async (images: readonly RgbImage[]): Promise<Mask[]> => {
    batches.push(images.length);
    return images.map((im) => ({
      data: new Uint8Array(W * H).fill(im.data[0] ?? 0),
      width: W,
      height: H,
    }));
  };
}

describe('runFrameLoop', () => {
  it('streams every frame in order through batched inference, compose and the sink', async () => {
    const batches: number[] = [];
    const written: number[] = [];
    const progress: number[] = [];
    const count = await runFrameLoop({
      frames: frames(7),
      width: W,
      height: H,
      batchSize: 3,
      segment: echoSegment(batches),
      compose: (rgb, alpha, index) => Uint8Array.of(rgb[0] ?? 0, alpha[0] ?? 0, index),
      sink: { write: async (f) => void written.push(...f) },
      onFrame: (done) => progress.push(done),
    });
    expect(count).toBe(7);
    expect(batches).toEqual([3, 3, 1]);
    expect(written).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('splits a decoded model-size frame off each item and hands both to segmentation', async () => {
    const S = 2;
    async function* withModel(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 3; i++) {
        const item = new Uint8Array(W * H * 3 + S * S * 3).fill(i);
        item.fill(100 + i, W * H * 3);
        yield item;
      }
    }
    const seen: { frame: number; model: number; sizes: string }[] = [];
    const composed: number[] = [];
    const count = await runFrameLoop({
      frames: withModel(),
      width: W,
      height: H,
      modelSize: S,
      batchSize: 2,
      segment: async (images, modelFrames) => {
        images.forEach((im, i) => {
          const m = modelFrames?.[i];
          seen.push({
            frame: im.data[0] ?? -1,
            model: m?.data[0] ?? -1,
            sizes: `${im.data.length}/${m?.width}x${m?.height}:${m?.data.length}`,
          });
        });
        return images.map(() => ({ data: new Uint8Array(W * H), width: W, height: H }));
      },
      compose: (rgb) => {
        composed.push(rgb.length);
        return rgb;
      },
      sink: { write: async () => undefined },
    });
    expect(count).toBe(3);
    expect(seen).toEqual([0, 1, 2].map((i) => ({ frame: i, model: 100 + i, sizes: '24/2x2:12' })));
    expect(composed).toEqual([24, 24, 24]);
  });

  it('applies the smoother to each mask in order', async () => {
    const seen: number[] = [];
    await runFrameLoop({
      frames: frames(3),
      width: W,
      height: H,
      batchSize: 2,
      segment: echoSegment([]),
      smoother: {
        next: (_rgb, m) => {
          seen.push(m[0] ?? 0);
          return new Uint8Array(m.length).fill(9);
        },
      },
      compose: (_rgb, alpha) => alpha,
      sink: { write: async (f) => void expect(f[0]).toBe(9) },
    });
    expect(seen).toEqual([0, 1, 2]);
  });

  it('refuses a frame of the wrong size', async () => {
    const run = runFrameLoop({
      frames: frames(2, 5),
      width: W,
      height: H,
      batchSize: 1,
      segment: echoSegment([]),
      compose: (rgb) => rgb,
      sink: { write: async () => undefined },
    });
    await expect(run).rejects.toMatchObject({ code: 'DECODE_FAILED' });
  });

  it('refuses masks that do not match the frames', async () => {
    const run = runFrameLoop({
      frames: frames(2),
      width: W,
      height: H,
      batchSize: 2,
      segment: async () => [{ data: new Uint8Array(1), width: 1, height: 1 }],
      compose: (rgb) => rgb,
      sink: { write: async () => undefined },
    });
    await expect(run).rejects.toBeInstanceOf(CutoutError);
  });

  it('stops reading when the signal aborts', async () => {
    const controller = new AbortController();
    let read = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        read++;
        yield new Uint8Array(W * H * 3);
      }
    }
    const run = runFrameLoop({
      frames: endless(),
      width: W,
      height: H,
      batchSize: 2,
      segment: echoSegment([]),
      compose: (rgb) => rgb,
      sink: {
        write: async () => {
          if (read >= 6) controller.abort(new Error('stop'));
        },
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow('stop');
    expect(read).toBeLessThan(12);
  });

  it('propagates an inference failure', async () => {
    const run = runFrameLoop({
      frames: frames(5),
      width: W,
      height: H,
      batchSize: 2,
      segment: async () => {
        throw new CutoutError('MODEL_UNAVAILABLE', 'gpu gone');
      },
      compose: (rgb) => rgb,
      sink: { write: async () => undefined },
    });
    await expect(run).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
  });
});
