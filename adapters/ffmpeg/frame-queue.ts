import type { Readable } from 'node:stream';

/** The decoder's raw output cut into whole model-size frames, read ahead a bounded amount. */

export interface FrameQueue {
  /** Up to `max` whole frames, in order; fewer (or none) when fewer are decoded. */
  take(max: number): Buffer[];
  /** Resolves on the next frame, the end of the stream or `wake`. */
  next(): Promise<void>;
  wake(): void;
  readonly length: number;
  readonly ended: boolean;
}

/**
 * Cuts a raw stream into frames of `frameBytes`, pausing it once `readAhead` frames wait
 * unread and resuming it as they are taken.
 */
export function frameQueue(stream: Readable, frameBytes: number, readAhead: number): FrameQueue {
  const queue: Buffer[] = [];
  let frame = Buffer.allocUnsafe(frameBytes);
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
        // A fresh buffer per frame: the queued ones are handed out and kept by the caller.
        frame = Buffer.allocUnsafe(frameBytes);
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
    get length() {
      return queue.length;
    },
    get ended() {
      return ended;
    },
  };
}
