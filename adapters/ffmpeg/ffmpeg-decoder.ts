import path from 'node:path';
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
    const current = startProcess(ffmpeg, decoderArgs(request), {
      stdin: 'ignore',
      stdout: 'pipe',
      signal: request.signal,
    });
    run = current;
    const stdout = current.child.stdout;
    if (!stdout) throw new Error('ffmpeg decoder has no stdout');

    const queue: Buffer[] = [];
    let ended = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let frame = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    stdout.on('data', (chunk: Buffer) => {
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
      if (queue.length >= readAhead) stdout.pause();
      notify();
    });
    const finished = () => {
      ended = true;
      notify();
    };
    stdout.once('end', finished);
    stdout.once('close', finished);
    stdout.once('error', finished);

    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          if (stdout.isPaused() && queue.length < readAhead) stdout.resume();
          yield next;
          continue;
        }
        if (ended) break;
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
