import type { Readable } from 'node:stream';
import type { VideoPassRequest } from '../../core/video/video-codec.ts';
import { decoderArgs, FULL_FRAMES_OUT } from './ffmpeg-args.ts';
import { type RunningProcess, startProcess } from './ffmpeg-process.ts';
import type { FrameQueue } from './frame-queue.ts';
import { isCleanExit, type PassExits } from './pass-exits.ts';

/** A pass's decoder: the ffmpeg process that reads the source once, and the frames we read. */

/**
 * Starts the decoder. It writes model-size frames to our stdout pipe and, when the encoder
 * needs them (`full`), the whole frames to a pipe handed to the encoder (`fullFrames`).
 */
export function startDecoder(
  ffmpeg: string,
  request: VideoPassRequest,
  full: boolean,
): { run: RunningProcess; fullFrames: Readable | null } {
  const run = startProcess(ffmpeg, decoderArgs(request), {
    stdin: 'ignore',
    stdout: 'pipe',
    extraPipes: full ? 1 : 0,
    signal: request.signal,
  });
  const fullFrames = full ? (run.child.stdio[FULL_FRAMES_OUT] as Readable | null) : null;
  return { run, fullFrames };
}

export interface FrameReader {
  /** As VideoPass.read. */
  read(max: number): Promise<Buffer[] | null>;
  /** Frames decoded and not yet read. */
  ready(): number;
  /** Frames handed out so far. */
  readonly framesRead: number;
}

/** Hands out decoded frames, failing with the pass's real failure when the frames stop early. */
export function frameReader(
  decoder: RunningProcess,
  frames: FrameQueue,
  exits: PassExits,
  checkAbort: () => void,
): FrameReader {
  let read = 0;
  return {
    async read(max) {
      for (;;) {
        checkAbort();
        const batch = frames.take(Math.max(1, max));
        if (batch.length > 0) {
          read += batch.length;
          return batch;
        }
        const problem = await exits.failure();
        if (problem) throw problem;
        if (frames.ended) {
          const exit = await decoder.exited;
          checkAbort();
          if (!isCleanExit(exit)) throw (await exits.failure()) ?? exits.decoderFailure(exit);
          return null;
        }
        await frames.next();
      }
    },
    ready: () => frames.length,
    get framesRead() {
      return read;
    },
  };
}
