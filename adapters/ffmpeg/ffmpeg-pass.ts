import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CutoutError } from '../../core/errors.ts';
import type { VideoPass, VideoPassRequest } from '../../core/video/video-codec.ts';
import {
  BACKDROP_IN,
  decoderArgs,
  encoderArgs,
  FULL_FRAMES_OUT,
  MASKS_IN,
  needsFullFrames,
  RAW_QUEUE_FRAMES,
} from './ffmpeg-args.ts';
import { lastErrorLine, type ProcessExit, startProcess, writablePipe } from './ffmpeg-process.ts';

/**
 * Model frames held unread, and masks queued unwritten, before the pass pushes back. Together
 * with a batch in flight they stay well under what the encoder queues per input
 * (RAW_QUEUE_FRAMES), which is what keeps decoder, pipeline and encoder from waiting on each
 * other in a circle.
 */
const READ_AHEAD_FRAMES = 16;
const BUFFERED_MASKS = 16;
if (READ_AHEAD_FRAMES + 2 * BUFFERED_MASKS >= RAW_QUEUE_FRAMES) {
  throw new Error('the pass buffers must stay under the encoder queue');
}

/**
 * A pass as two ffmpeg processes joined by a pipe: the decoder reads the source once and writes
 * model-size frames to us and the whole frames straight to the encoder; the encoder takes our
 * masks, composes and encodes. The full frames never pass through this process. The output is
 * written to a hidden temporary file beside it and renamed on success, so a failed or cancelled
 * pass leaves nothing behind.
 */
export function startPass(ffmpeg: string, request: VideoPassRequest): VideoPass {
  const name = path.basename(request.source.path);
  const dir = path.dirname(request.outputPath);
  const base = path.basename(request.outputPath);
  const temp = path.join(dir, `.${base}.${randomBytes(6).toString('hex')}.partial`);
  const frameBytes = request.modelSize * request.modelSize * 3;
  const maskBytes = request.modelSize * request.modelSize;
  const full = needsFullFrames(request);
  const { backdrop, signal } = request;

  const decoder = startProcess(ffmpeg, decoderArgs(request), {
    stdin: 'ignore',
    stdout: 'pipe',
    extraPipes: full ? 1 : 0,
    signal,
  });
  const fullFrames = full ? (decoder.child.stdio[FULL_FRAMES_OUT] as Readable | null) : null;
  const encoder = startProcess(ffmpeg, encoderArgs(request, temp), {
    stdin: fullFrames ?? 'ignore',
    stdout: 'ignore',
    extraPipes: backdrop.kind === 'image' ? 2 : 1,
    signal,
  });
  // The encoder has its own copy of the pipe now; ours would only keep it open.
  fullFrames?.destroy();
  const masks = writablePipe(encoder, MASKS_IN);
  if (backdrop.kind === 'image') {
    // Written once and closed: ffmpeg holds the picture and repeats it under every frame.
    writablePipe(encoder, BACKDROP_IN).end(backdrop.rgb);
  }

  const stdout = decoder.child.stdout;
  if (!stdout) throw new Error('ffmpeg decoder has no stdout');
  const frames = frameQueue(stdout, frameBytes, READ_AHEAD_FRAMES);
  let read = 0;
  let decoderExit: ProcessExit | undefined;
  let encoderExit: ProcessExit | undefined;
  void decoder.exited.then((e) => {
    decoderExit = e;
  });
  void encoder.exited.then((e) => {
    encoderExit = e;
    // A dead encoder takes no more masks: wake a reader waiting on frames the decoder can no
    // longer hand over.
    frames.wake();
  });

  const encoderFailure = (e: ProcessExit): CutoutError =>
    e.spawnError
      ? cannotRun(e.spawnError)
      : new CutoutError(
          'PROCESSING_FAILED',
          `ffmpeg could not encode ${base} (${request.spec.videoCodec}): ${lastErrorLine(e.stderr)}`,
        );
  const decoderFailure = (e: ProcessExit): CutoutError =>
    e.spawnError
      ? cannotRun(e.spawnError)
      : new CutoutError(
          'DECODE_FAILED',
          `${name}: the video could not be decoded (${lastErrorLine(e.stderr)})`,
          { field: 'file' },
        );
  const failed = (e: ProcessExit | undefined): e is ProcessExit =>
    e !== undefined && !isCleanExit(e);
  /** The first real failure, blaming the encoder when it died first (the decoder then only lost its pipe). */
  const failure = (): CutoutError | undefined => {
    if (failed(encoderExit) && !encoder.killed()) return encoderFailure(encoderExit);
    if (failed(decoderExit) && !decoder.killed()) return decoderFailure(decoderExit);
    return undefined;
  };

  return {
    async read(max) {
      for (;;) {
        signal?.throwIfAborted();
        const batch = frames.take(Math.max(1, max));
        if (batch.length > 0) {
          read += batch.length;
          return batch;
        }
        const problem = failure();
        if (problem) throw problem;
        if (frames.ended) {
          const exit = await decoder.exited;
          signal?.throwIfAborted();
          if (failed(exit)) throw failure() ?? decoderFailure(exit);
          return null;
        }
        await frames.next();
      }
    },
    ready: () => frames.length,
    async write(mask) {
      signal?.throwIfAborted();
      if (mask.length !== maskBytes) {
        throw new CutoutError(
          'PROCESSING_FAILED',
          `encoder got a ${mask.length}-byte mask, expected ${maskBytes}`,
        );
      }
      if (encoderExit || masks.destroyed) throw failure() ?? encoderFailure(await encoder.exited);
      masks.write(mask);
      // Waiting for 'drain' after every mask would leave us idle while ffmpeg encodes its frame.
      if (masks.writableLength > BUFFERED_MASKS * maskBytes) {
        await new Promise<void>((resolve) => {
          const done = () => {
            masks.off('drain', done);
            resolve();
          };
          masks.on('drain', done);
          void encoder.exited.then(done);
        });
      }
      signal?.throwIfAborted();
      if (encoderExit && !isCleanExit(encoderExit)) throw encoderFailure(encoderExit);
    },
    async finish() {
      masks.end();
      const [d, e] = await Promise.all([decoder.exited, encoder.exited]);
      signal?.throwIfAborted();
      try {
        if (!isCleanExit(e)) throw encoderFailure(e);
        if (!isCleanExit(d)) throw decoderFailure(d);
        if (read === 0) throw decoderFailure(d);
        await rename(temp, request.outputPath);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async abort() {
      await Promise.all([decoder.kill(), encoder.kill()]);
      await rm(temp, { force: true });
    },
  };
}

function isCleanExit(e: ProcessExit): boolean {
  return e.code === 0 && e.spawnError === undefined;
}

function cannotRun(error: Error): CutoutError {
  return new CutoutError('PROCESSING_FAILED', `cannot run ffmpeg: ${error.message}`, {
    cause: error,
  });
}

interface FrameQueue {
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
function frameQueue(stream: Readable, frameBytes: number, readAhead: number): FrameQueue {
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
