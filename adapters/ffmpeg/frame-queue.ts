import type { Readable } from 'node:stream';

/** The decoder's raw output cut into whole model-size frames, read ahead a bounded amount. */

export interface FrameQueue {
  /** Up to `max` whole frames, in order; fewer (or none) when fewer are decoded. */
  take(max: number): Buffer[];
  /** Resolves on the next frame, the end of the stream or `wake`. */
  next(): Promise<void>;
  wake(): void;
  /** Takes frames handed out by `take` back, to be filled again (see `frameQueue`). */
  recycle(frames: readonly Uint8Array[]): void;
  readonly length: number;
  readonly ended: boolean;
}

/**
 * Cuts a raw stream into frames of `frameBytes`, pausing it once `readAhead` frames wait
 * unread and resuming it as they are taken. Frames given back with `recycle` (at most
 * `keepSpare` of them) are filled again instead of new ones: a fresh frame-sized buffer costs
 * its page faults on first write, which measured more than everything else this process does
 * to a frame outside inference (3-4 ms for 300 KB on the 2-core benchmark machine).
 */
export function frameQueue(
  stream: Readable,
  frameBytes: number,
  readAhead: number,
  keepSpare = readAhead,
): FrameQueue {
  const queue: Buffer[] = [];
  const spare: Buffer[] = [];
  // Only buffers made here are refilled: anything else handed back may belong to someone else.
  const made = new WeakSet<Uint8Array>();
  const fresh = () => {
    const reused = spare.pop();
    if (reused) return reused;
    const buffer = Buffer.allocUnsafe(frameBytes);
    made.add(buffer);
    return buffer;
  };
  let frame = fresh();
  let filled = 0;
  let ended = false;
  let waiting: (() => void) | undefined;
  const wake = () => {
    const w = waiting;
    waiting = undefined;
    w?.();
  };
  stream.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      chunk.copy(frame, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        queue.push(frame);
        // The queued ones are handed out and kept by the caller until it recycles them.
        frame = fresh();
        filled = 0;
      }
    }
    if (queue.length >= readAhead) stream.pause();
    wake();
  });
  const finished = () => {
    ended = true;
    wake();
  };
  stream.once('end', finished);
  stream.once('close', finished);
  stream.once('error', finished);
  return {
    take(max) {
      const taken = queue.splice(0, max);
      if (taken.length > 0 && stream.isPaused() && queue.length < readAhead) stream.resume();
      return taken;
    },
    next: () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
      }),
    wake,
    recycle(frames) {
      for (const f of frames) {
        if (spare.length >= keepSpare) return;
        // Only whole frames this queue could have made; anything else is left to the collector.
        // Handed back twice, it would be filled as two frames at once.
        const own = f as Buffer;
        if (made.has(own) && own !== frame && !spare.includes(own) && !queue.includes(own)) {
          spare.push(own);
        }
      }
    },
    get length() {
      return queue.length;
    },
    get ended() {
      return ended;
    },
  };
}
