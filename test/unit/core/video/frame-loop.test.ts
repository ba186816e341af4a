import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import type { Mask, RgbImage } from '../../../../core/image/raster.ts';
import { runFrameLoop } from '../../../../core/video/frame-loop.ts';

const S = 2;

/**
 * A codec pass as the port describes it: it decodes at most `lead` frames beyond the masks it
 * has been given, then waits for masks. A read that would wait while masks are owed is the
 * deadlock the real codec would hit, so the fake fails it loudly.
 */
function fakePass(total: number, { lead = 3, bytes = S * S * 3 } = {}) {
  let handed = 0;
  const written: number[] = [];
  const batches: number[] = [];
  const available = () => Math.min(total, written.length + lead) - handed;
  return {
    written,
    batches,
    get handed() {
      return handed;
    },
    ready: () => Math.max(0, available()),
    async read(max: number): Promise<Uint8Array[] | null> {
      if (handed >= total) return null;
      const n = Math.min(max, available());
      if (n <= 0) throw new Error('deadlock: waiting for frames while the codec waits for masks');
      const out: Uint8Array[] = [];
      for (let i = 0; i < n; i++) out.push(new Uint8Array(bytes).fill(handed++));
      batches.push(n);
      return out;
    },
    async write(mask: Uint8Array) {
      written.push(mask[0] ?? -1);
    },
  };
}

/** Mask value = the frame's first byte, so masks can be traced back to their frames. */
async function echoSegment(images: readonly RgbImage[]): Promise<Mask[]> {
  return images.map((im) => ({
    data: new Uint8Array(S * S).fill(im.data[0] ?? 0),
    width: S,
    height: S,
  }));
}

describe('runFrameLoop', () => {
  it('answers every frame with its mask, in order, in batches of what is decoded', async () => {
    const pass = fakePass(7, { lead: 5 });
    const progress: number[] = [];
    const count = await runFrameLoop({
      pass,
      size: S,
      batchSize: 3,
      segment: echoSegment,
      onFrame: (done) => progress.push(done),
    });
    expect(count).toBe(7);
    expect(pass.written).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Math.max(...pass.batches)).toBe(3);
    expect(pass.batches.reduce((a, b) => a + b, 0)).toBe(7);
  });

  it('writes the masks it owes before waiting on more frames (no deadlock at any lead)', async () => {
    for (const lead of [1, 2, 4]) {
      const pass = fakePass(9, { lead });
      await expect(
        runFrameLoop({ pass, size: S, batchSize: 4, segment: echoSegment }),
      ).resolves.toBe(9);
      expect(pass.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });

  it('applies the smoother to each mask in order, with its model frame', async () => {
    const seen: string[] = [];
    const pass = fakePass(3);
    await runFrameLoop({
      pass,
      size: S,
      batchSize: 2,
      segment: echoSegment,
      smoother: {
        next: (rgb, m) => {
          seen.push(`${rgb[0]}:${m[0]}`);
          return new Uint8Array(m.length).fill(9);
        },
      },
    });
    expect(seen).toEqual(['0:0', '1:1', '2:2']);
    expect(pass.written).toEqual([9, 9, 9]);
  });

  it('refines each smoothed mask against its own frame', async () => {
    const order: string[] = [];
    const pass = fakePass(3);
    await runFrameLoop({
      pass,
      size: S,
      batchSize: 2,
      segment: echoSegment,
      smoother: {
        next: (rgb, m) => {
          order.push(`smooth ${rgb[0]}:${m[0]}`);
          return new Uint8Array(m.length).fill((m[0] ?? 0) + 10);
        },
      },
      refine: (frame, mask) => {
        order.push(`refine ${frame.data[0]}:${mask.data[0]} ${frame.width}x${mask.width}`);
        return { ...mask, data: new Uint8Array(mask.data.length).fill((mask.data[0] ?? 0) + 50) };
      },
    });
    expect(order).toEqual([
      'smooth 0:0',
      `refine 0:10 ${S}x${S}`,
      'smooth 1:1',
      `refine 1:11 ${S}x${S}`,
      'smooth 2:2',
      `refine 2:12 ${S}x${S}`,
    ]);
    expect(pass.written).toEqual([60, 61, 62]);
  });

  it('keeps frame order when a slow model answers later batches first', async () => {
    // Batch k waits (5 - k) ms: a later batch's inference ends before an earlier one's.
    let call = 0;
    const slowFirst = async (images: readonly RgbImage[]): Promise<Mask[]> => {
      const delay = Math.max(0, 5 - call++);
      await new Promise((resolve) => setTimeout(resolve, delay));
      return echoSegment(images);
    };
    const pass = fakePass(12, { lead: 8 });
    await expect(runFrameLoop({ pass, size: S, batchSize: 2, segment: slowFirst })).resolves.toBe(
      12,
    );
    expect(pass.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('hands each frame back to the codec only once its mask is written', async () => {
    const pass = fakePass(7, { lead: 4 });
    const released: string[] = [];
    const early: number[] = [];
    const seenBySmoother: number[] = [];
    await runFrameLoop({
      pass: {
        ...pass,
        release(frames) {
          for (const frame of frames) {
            const id = frame[0] ?? -1;
            if (!pass.written.includes(id)) early.push(id);
            released.push(String(id));
            // The codec refills a released frame: nothing may read it afterwards.
            frame.fill(99);
          }
        },
      },
      size: S,
      batchSize: 3,
      segment: echoSegment,
      smoother: {
        next: (rgb, m) => {
          seenBySmoother.push(rgb[0] ?? -1);
          return m;
        },
      },
    });
    expect(early).toEqual([]);
    expect(released).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(seenBySmoother).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(pass.written).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('refuses a frame of the wrong size', async () => {
    const run = runFrameLoop({
      pass: fakePass(2, { bytes: 5 }),
      size: S,
      batchSize: 1,
      segment: echoSegment,
    });
    await expect(run).rejects.toMatchObject({ code: 'DECODE_FAILED' });
  });

  it('refuses masks that do not match the frames', async () => {
    const run = runFrameLoop({
      pass: fakePass(2),
      size: S,
      batchSize: 2,
      segment: async () => [{ data: new Uint8Array(1), width: 1, height: 1 }],
    });
    await expect(run).rejects.toBeInstanceOf(CutoutError);
  });

  it('stops reading when the signal aborts', async () => {
    const controller = new AbortController();
    const pass = fakePass(1000);
    const write = pass.write;
    pass.write = async (mask) => {
      await write(mask);
      if (pass.written.length >= 6) controller.abort(new Error('stop'));
    };
    const run = runFrameLoop({
      pass,
      size: S,
      batchSize: 2,
      segment: echoSegment,
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow('stop');
    expect(pass.handed).toBeLessThan(12);
  });

  it('propagates an inference failure', async () => {
    const run = runFrameLoop({
      pass: fakePass(5),
      size: S,
      batchSize: 2,
      segment: async () => {
        throw new CutoutError('MODEL_UNAVAILABLE', 'gpu gone');
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
  });
});
