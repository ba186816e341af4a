import path from 'node:path';
import type { Readable } from 'node:stream';
import { CutoutError } from '../../core/errors.ts';
import type { DecodeRequest, FrameReader } from '../../core/video/video-codec.ts';
import { decoderArgs } from './ffmpeg-args.ts';
import { lastErrorLine, type RunningProcess, startProcess } from './ffmpeg-process.ts';

/** Decoded frames kept ahead of the consumer: up to this many bytes, and at least two frames. */
const READ_AHEAD_BYTES = 48 * 1024 * 1024;

/**
 * An ffmpeg process decoding `request.path` to raw rgb24 frames. The process starts on the
 * first read and decodes a few frames ahead of the consumer (so decoding overlaps inference),
 * then pauses its pipe until they are taken: memory stays bounded. Stopping the iteration,
 * `close` or the signal kill it.
 */
export function startDecoder(ffmpeg: string, request: DecodeRequest): FrameReader {
  const frameBytes = request.width * request.height * 3;
  const readAhead = Math.max(2, Math.floor(READ_AHEAD_BYTES / frameBytes));
  const name = path.basename(request.path);
  let run: RunningProcess | undefined;
  let closed = false;

  async function* frames(): AsyncGenerator<Uint8Array> {
    if (closed) return;
    request.signal?.throwIfAborted();
    const modelBytes = request.modelFrame ? request.modelFrame.size ** 2 * 3 : 0;
    const current = startProcess(ffmpeg, decoderArgs(request), {
      stdin: 'ignore',
      stdout: 'pipe',
      fd3: modelBytes > 0 ? 'pipe' : undefined,
      signal: request.signal,
    });
    run = current;
    const stdout = current.child.stdout;
    if (!stdout) throw new Error('ffmpeg decoder has no stdout');
    const small = modelBytes > 0 ? (current.child.stdio[3] as Readable | null) : null;
    if (modelBytes > 0 && !small) throw new Error('ffmpeg decoder has no model-frame pipe');

    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const fulls = framesOf(stdout, frameBytes, readAhead, notify);
    const smalls = small ? framesOf(small, modelBytes, readAhead, notify) : undefined;
    const take = (): Buffer | undefined => {
      if (!smalls) return fulls.take();
      if (fulls.queue.length === 0 || smalls.queue.length === 0) return undefined;
      const full = fulls.take() as Buffer;
      const model = smalls.take() as Buffer;
      const both = Buffer.allocUnsafe(frameBytes + modelBytes);
      full.copy(both, 0);
      model.copy(both, frameBytes);
      return both;
    };
    const smallDone = () => !smalls || smalls.ended;

    try {
      for (;;) {
        const next = take();
        if (next) {
          yield next;
          continue;
        }
        if (fulls.ended && smallDone()) break;
        // Waiting on one pipe while the other is paused could stall ffmpeg: let both flow.
        fulls.resume();
        smalls?.resume();
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      const exit = await current.exited;
      request.signal?.throwIfAborted();
      if (closed || current.killed()) return;
      if (exit.spawnError) {
        throw new CutoutError(
          'PROCESSING_FAILED',
          `cannot run ffmpeg: ${exit.spawnError.message}`,
          {
            cause: exit.spawnError,
          },
        );
      }
      if (exit.code !== 0) {
        throw new CutoutError(
          'DECODE_FAILED',
          `${name}: the video could not be decoded (${lastErrorLine(exit.stderr)})`,
          { field: 'file' },
        );
      }
    } finally {
      await current.kill();
    }
  }

  const iterable = frames();
  return {
    [Symbol.asyncIterator]: () => iterable,
    async close() {
      closed = true;
      await run?.kill();
    },
  };
}

interface FrameQueue {
  readonly queue: Buffer[];
  take(): Buffer | undefined;
  resume(): void;
  readonly ended: boolean;
}

/**
 * Cuts a raw stream into frames of `frameBytes`, pausing it once `readAhead` frames wait
 * unread and resuming it as they are taken.
 */
function framesOf(
  stream: Readable,
  frameBytes: number,
  readAhead: number,
  notify: () => void,
): FrameQueue {
  const queue: Buffer[] = [];
  let frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let ended = false;
  stream.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      chunk.copy(frame, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        queue.push(frame);
        // Frames above the pool size are never pooled: each queued buffer is its own.
        frame = Buffer.allocUnsafe(frameBytes);
        filled = 0;
      }
    }
    if (queue.length >= readAhead) stream.pause();
    notify();
  });
  const finished = () => {
    ended = true;
    notify();
  };
  stream.once('end', finished);
  stream.once('close', finished);
  stream.once('error', finished);
  return {
    queue,
    take() {
      const next = queue.shift();
      if (next && stream.isPaused() && queue.length < readAhead) stream.resume();
      return next;
    },
    resume() {
      if (stream.isPaused()) stream.resume();
    },
    get ended() {
      return ended;
    },
  };
}
