import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CutoutError } from '../../core/errors.ts';
import { abortError } from '../../core/pipeline/abortable.ts';
import type { VideoPass, VideoPassRequest } from '../../core/video/video-codec.ts';
import { formatBytes } from '../../core/video/video-limits.ts';
import {
  BACKDROP_IN,
  decoderArgs,
  encoderArgs,
  FULL_FRAMES_OUT,
  fullFrameQueue,
  MASKS_IN,
  needsFullFrames,
  RAW_QUEUE_FRAMES,
} from './ffmpeg-args.ts';
import { lastErrorLine, type ProcessExit, startProcess, writablePipe } from './ffmpeg-process.ts';

/**
 * Model frames held unread, masks queued unwritten, and frames per batch in flight (two batches
 * may be), from the frames the encoder queues per input. Together they stay under that queue
 * (a quarter each at most), which is what keeps decoder, pipeline and encoder from waiting on
 * each other in a circle; with the usual 64-frame queue they are 16, 16 and 8.
 */
export function passBuffers(queueFrames: number): {
  readAhead: number;
  bufferedMasks: number;
  maxBatch: number;
} {
  const quarter = Math.max(1, Math.floor(queueFrames / 4));
  return {
    readAhead: Math.min(16, quarter),
    bufferedMasks: Math.min(16, quarter),
    maxBatch: Math.max(1, Math.floor(queueFrames / 8)),
  };
}

/**
 * A pass as two ffmpeg processes joined by a pipe: the decoder reads the source once and writes
 * model-size frames to us and the whole frames straight to the encoder; the encoder takes our
 * masks, composes and encodes. The full frames never pass through this process. The output is
 * written to a hidden temporary file beside it and renamed on success, so a failed or cancelled
 * pass leaves nothing behind.
 */
export function startPass(ffmpeg: string, request: VideoPassRequest): VideoPass {
  const name = request.source.label ?? path.basename(request.source.path);
  const dir = path.dirname(request.outputPath);
  const base = path.basename(request.outputPath);
  const temp = path.join(dir, `.${base}.${randomBytes(6).toString('hex')}.partial`);
  const frameBytes = request.modelSize * request.modelSize * 3;
  const maskBytes = request.modelSize * request.modelSize;
  const full = needsFullFrames(request);
  const { backdrop, signal } = request;
  const buffers = passBuffers(full ? fullFrameQueue(request) : RAW_QUEUE_FRAMES);
  // ffmpeg names files by path in its errors; clients read those errors.
  const labels = new Map<string, string>([
    [request.source.path, name],
    [temp, base],
    [request.outputPath, base],
  ]);
  if (backdrop.kind === 'video') {
    labels.set(backdrop.path, backdrop.label ?? path.basename(backdrop.path));
  }
  if (request.audio) labels.set(request.audio.path, labels.get(request.audio.path) ?? 'audio');

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
  const frames = frameQueue(stdout, frameBytes, buffers.readAhead);
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
          `ffmpeg could not encode ${base} (${request.spec.videoCodec}): ${lastErrorLine(e.stderr, labels)}`,
        );
  const decoderFailure = (e: ProcessExit): CutoutError =>
    e.spawnError
      ? cannotRun(e.spawnError)
      : new CutoutError(
          'DECODE_FAILED',
          `the video could not be decoded (${lastErrorLine(e.stderr, labels)})`,
          { field: 'file', file: name },
        );
  const failed = (e: ProcessExit | undefined): e is ProcessExit =>
    e !== undefined && !isCleanExit(e);
  const limit = request.maxOutputBytes;
  /** ffmpeg's `-fs` ends the encoder as if done once the output reaches the limit. */
  const outputTooLarge = async (): Promise<CutoutError | undefined> => {
    if (limit === undefined || encoderExit === undefined || !isCleanExit(encoderExit)) {
      return undefined;
    }
    const size = await stat(temp).then(
      (s) => s.size,
      () => 0,
    );
    if (size < limit) return undefined;
    return new CutoutError(
      'INPUT_TOO_LARGE',
      `the output ${base} grew past the limit of ${formatBytes(limit)}; send a shorter or smaller video, or a lighter output format`,
      { field: 'file', file: name },
    );
  };
  /**
   * The first real failure: the output limit, then the encoder when it died first (the decoder
   * then only lost its pipe), then the decoder.
   */
  const failure = async (): Promise<CutoutError | undefined> => {
    if (failed(decoderExit) && !decoder.killed() && encoderExit === undefined) {
      // A decoder that lost its pipe to a finished encoder dies first, but the encoder's exit
      // says why (the output limit, an encoding error).
      await settledWithin(encoder.exited, ENCODER_EXIT_WAIT_MS);
    }
    const tooLarge = await outputTooLarge();
    if (tooLarge) return tooLarge;
    if (failed(encoderExit) && !encoder.killed()) return encoderFailure(encoderExit);
    if (failed(decoderExit) && !decoder.killed()) return decoderFailure(decoderExit);
    return undefined;
  };
  const checkAbort = () => {
    if (signal?.aborted) throw abortError(signal, name);
  };

  return {
    maxBatch: buffers.maxBatch,
    async read(max) {
      for (;;) {
        checkAbort();
        const batch = frames.take(Math.max(1, max));
        if (batch.length > 0) {
          read += batch.length;
          return batch;
        }
        const problem = await failure();
        if (problem) throw problem;
        if (frames.ended) {
          const exit = await decoder.exited;
          checkAbort();
          if (failed(exit)) throw (await failure()) ?? decoderFailure(exit);
          return null;
        }
        await frames.next();
      }
    },
    ready: () => frames.length,
    async write(mask) {
      checkAbort();
      if (mask.length !== maskBytes) {
        throw new CutoutError(
          'PROCESSING_FAILED',
          `encoder got a ${mask.length}-byte mask, expected ${maskBytes}`,
        );
      }
      if (encoderExit || masks.destroyed) {
        const exit = await encoder.exited;
        throw (await failure()) ?? encoderFailure(exit);
      }
      masks.write(mask);
      // Waiting for 'drain' after every mask would leave us idle while ffmpeg encodes its frame.
      if (masks.writableLength > buffers.bufferedMasks * maskBytes) {
        await new Promise<void>((resolve) => {
          const done = () => {
            masks.off('drain', done);
            resolve();
          };
          masks.on('drain', done);
          void encoder.exited.then(done);
        });
      }
      checkAbort();
      if (encoderExit) {
        const problem = await failure();
        if (problem) throw problem;
      }
    },
    async finish() {
      masks.end();
      const [d, e] = await Promise.all([decoder.exited, encoder.exited]);
      checkAbort();
      try {
        const tooLarge = await outputTooLarge();
        if (tooLarge) throw tooLarge;
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

const ENCODER_EXIT_WAIT_MS = 2_000;

async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
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
