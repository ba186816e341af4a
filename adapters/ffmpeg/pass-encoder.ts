import type { Readable, Writable } from 'node:stream';
import { CutoutError } from '../../core/errors.ts';
import type { VideoPassRequest } from '../../core/video/video-codec.ts';
import { BACKDROP_IN, encoderArgs, MASKS_IN } from './ffmpeg-args.ts';
import { type RunningProcess, startProcess, writablePipe } from './ffmpeg-process.ts';
import type { PassExits } from './pass-exits.ts';

/** A pass's encoder: the ffmpeg process that takes our masks, composes and encodes. */

/**
 * Starts the encoder writing to `temp`, with the decoder's whole frames (`fullFrames`) as its
 * stdin when it needs them, and a still backdrop written to it once.
 */
export function startEncoder(
  ffmpeg: string,
  request: VideoPassRequest,
  temp: string,
  fullFrames: Readable | null,
): { run: RunningProcess; masks: Writable } {
  const { backdrop, signal } = request;
  const run = startProcess(ffmpeg, encoderArgs(request, temp), {
    stdin: fullFrames ?? 'ignore',
    stdout: 'ignore',
    extraPipes: backdrop.kind === 'image' ? 2 : 1,
    signal,
  });
  // The encoder has its own copy of the pipe now; ours would only keep it open.
  fullFrames?.destroy();
  const masks = writablePipe(run, MASKS_IN);
  if (backdrop.kind === 'image') {
    // Written once and closed: ffmpeg holds the picture and repeats it under every frame.
    writablePipe(run, BACKDROP_IN).end(backdrop.rgb);
  }
  return { run, masks };
}

/**
 * Writes masks to the encoder, keeping up to `bufferedMasks` queued, and fails with the pass's
 * real failure once the encoder has gone.
 */
export function maskWriter(
  encoder: RunningProcess,
  masks: Writable,
  maskBytes: number,
  bufferedMasks: number,
  exits: PassExits,
  checkAbort: () => void,
): (mask: Uint8Array) => Promise<void> {
  return async (mask) => {
    checkAbort();
    if (mask.length !== maskBytes) {
      throw new CutoutError(
        'PROCESSING_FAILED',
        `encoder got a ${mask.length}-byte mask, expected ${maskBytes}`,
      );
    }
    if (exits.encoder || masks.destroyed) {
      const exit = await encoder.exited;
      throw (await exits.failure()) ?? exits.encoderFailure(exit);
    }
    masks.write(mask);
    // Waiting for 'drain' after every mask would leave us idle while ffmpeg encodes its frame.
    if (masks.writableLength > bufferedMasks * maskBytes) {
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
    if (exits.encoder) {
      const problem = await exits.failure();
      if (problem) throw problem;
    }
  };
}
