import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { frameQueue } from '../../../../adapters/ffmpeg/frame-queue.ts';

const FRAME = 6;

/** Frame n is FRAME bytes of value n, written in chunks that straddle frame boundaries. */
function frameBytes(from: number, count: number): Buffer {
  const out = Buffer.alloc(count * FRAME);
  for (let i = 0; i < count; i++) out.fill(from + i, i * FRAME, (i + 1) * FRAME);
  return out;
}

async function framesOf(stream: PassThrough, bytes: Buffer, chunk: number): Promise<void> {
  for (let o = 0; o < bytes.length; o += chunk) stream.write(bytes.subarray(o, o + chunk));
  // Let the 'data' events run.
  await new Promise((resolve) => setImmediate(resolve));
}

describe('frameQueue', () => {
  it('cuts the stream into whole frames, in order, whatever the chunking', async () => {
    const stream = new PassThrough();
    const queue = frameQueue(stream, FRAME, 100);
    await framesOf(stream, frameBytes(0, 5), 4);
    const frames = queue.take(10);
    expect(frames.map((f) => [...f])).toEqual(
      [0, 1, 2, 3, 4].map((n) => Array.from({ length: FRAME }, () => n)),
    );
  });

  it('fills recycled frames again instead of allocating new ones', async () => {
    const stream = new PassThrough();
    const queue = frameQueue(stream, FRAME, 100);
    await framesOf(stream, frameBytes(0, 2), FRAME);
    const first = queue.take(2);
    queue.recycle(first);
    // The frame being filled when they came back was allocated before: the next frame after it
    // is the first to reuse one.
    await framesOf(stream, frameBytes(10, 3), 5);
    const next = queue.take(3);
    expect(next.map((f) => f[0])).toEqual([10, 11, 12]);
    const reused = next.filter((f) => first.includes(f));
    expect(reused).toHaveLength(2);
    for (const f of next) expect([...f]).toEqual(Array.from({ length: FRAME }, () => f[0]));
  });

  it('never fills one buffer as two frames, and ignores what it could not have made', async () => {
    const stream = new PassThrough();
    const queue = frameQueue(stream, FRAME, 100);
    await framesOf(stream, frameBytes(0, 1), FRAME);
    const [only] = queue.take(1);
    if (!only) throw new Error('no frame');
    queue.recycle([only, only, Buffer.alloc(FRAME + 1), new Uint8Array(FRAME)]);
    await framesOf(stream, frameBytes(1, 4), FRAME);
    const next = queue.take(4);
    expect(next.map((f) => f[0])).toEqual([1, 2, 3, 4]);
    expect(new Set(next).size).toBe(4);
    expect(next.filter((f) => f === only)).toHaveLength(1);
  });

  it('keeps at most `keepSpare` recycled frames', async () => {
    const stream = new PassThrough();
    const queue = frameQueue(stream, FRAME, 100, 1);
    await framesOf(stream, frameBytes(0, 3), FRAME);
    const first = queue.take(3);
    queue.recycle(first);
    await framesOf(stream, frameBytes(5, 3), FRAME);
    const next = queue.take(3);
    expect(next.filter((f) => first.includes(f))).toHaveLength(1);
  });

  it('stops reading once readAhead frames wait, and reads on as they are taken', async () => {
    const stream = new PassThrough();
    const queue = frameQueue(stream, FRAME, 2);
    await framesOf(stream, frameBytes(0, 8), FRAME);
    expect(stream.isPaused()).toBe(true);
    // Unread bytes stay in the stream, not in the queue: memory is bounded by readAhead.
    expect(queue.length).toBe(2);
    queue.take(2);
    expect(stream.isPaused()).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.length).toBe(2);
    expect(queue.take(1)[0]?.[0]).toBe(2);
  });
});
