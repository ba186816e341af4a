import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { abortError } from '../../core/pipeline/abortable.ts';
import type { VideoPass, VideoPassRequest } from '../../core/video/video-codec.ts';
import { fullFrameQueue, needsFullFrames, RAW_QUEUE_FRAMES } from './ffmpeg-args.ts';
import { frameQueue } from './frame-queue.ts';
import { frameReader, startDecoder } from './pass-decoder.ts';
import { maskWriter, startEncoder } from './pass-encoder.ts';
import { isCleanExit, type PassNames, watchPassExits } from './pass-exits.ts';

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
 * pass leaves nothing behind. The decoder (pass-decoder.ts), the encoder (pass-encoder.ts) and
 * the exits they share (pass-exits.ts) are wired here.
 */
export function startPass(ffmpeg: string, request: VideoPassRequest): VideoPass {
  const names = passNames(request);
  const frameBytes = request.modelSize * request.modelSize * 3;
  const maskBytes = request.modelSize * request.modelSize;
  const full = needsFullFrames(request);
  const { signal } = request;
  const buffers = passBuffers(full ? fullFrameQueue(request) : RAW_QUEUE_FRAMES);

  const decoder = startDecoder(ffmpeg, request, full);
  const encoder = startEncoder(ffmpeg, request, names.temp, decoder.fullFrames);
  const stdout = decoder.run.child.stdout;
  if (!stdout) throw new Error('ffmpeg decoder has no stdout');
  const frames = frameQueue(stdout, frameBytes, buffers.readAhead);
  // A dead encoder takes no more masks: wake a reader waiting on frames the decoder can no
  // longer hand over.
  const exits = watchPassExits(decoder.run, encoder.run, names, () => frames.wake());
  const checkAbort = () => {
    if (signal?.aborted) throw abortError(signal, names.name);
  };
  const reader = frameReader(decoder.run, frames, exits, checkAbort);

  return {
    maxBatch: buffers.maxBatch,
    read: (max) => reader.read(max),
    ready: () => reader.ready(),
    release: (done) => frames.recycle(done),
    write: maskWriter(
      encoder.run,
      encoder.masks,
      maskBytes,
      buffers.bufferedMasks,
      exits,
      checkAbort,
    ),
    async finish() {
      encoder.masks.end();
      const [d, e] = await Promise.all([decoder.run.exited, encoder.run.exited]);
      checkAbort();
      try {
        const tooLarge = await exits.outputTooLarge();
        if (tooLarge) throw tooLarge;
        if (!isCleanExit(e)) throw exits.encoderFailure(e);
        if (!isCleanExit(d)) throw exits.decoderFailure(d);
        if (reader.framesRead === 0) throw exits.decoderFailure(d);
        await rename(names.temp, request.outputPath);
      } catch (error) {
        await rm(names.temp, { force: true });
        throw error;
      }
    },
    async abort() {
      await Promise.all([decoder.run.kill(), encoder.run.kill()]);
      await rm(names.temp, { force: true });
    },
  };
}

/** The pass's file names, and the labels that keep local paths out of ffmpeg's errors. */
function passNames(request: VideoPassRequest): PassNames {
  const name = request.source.label ?? path.basename(request.source.path);
  const dir = path.dirname(request.outputPath);
  const base = path.basename(request.outputPath);
  const temp = path.join(dir, `.${base}.${randomBytes(6).toString('hex')}.partial`);
  // ffmpeg names files by path in its errors; clients read those errors.
  const labels = new Map<string, string>([
    [request.source.path, name],
    [temp, base],
    [request.outputPath, base],
  ]);
  const { backdrop } = request;
  if (backdrop.kind === 'video') {
    labels.set(backdrop.path, backdrop.label ?? path.basename(backdrop.path));
  }
  if (request.audio) labels.set(request.audio.path, labels.get(request.audio.path) ?? 'audio');
  return {
    name,
    base,
    temp,
    labels,
    videoCodec: request.spec.videoCodec,
    maxOutputBytes: request.maxOutputBytes,
  };
}
