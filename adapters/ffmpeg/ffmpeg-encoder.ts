import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CutoutError } from '../../core/errors.ts';
import {
  type EncodeRequest,
  type FrameWriter,
  LAYOUT_CHANNELS,
} from '../../core/video/video-codec.ts';
import { encoderArgs } from './ffmpeg-args.ts';
import { lastErrorLine, type ProcessExit, startProcess } from './ffmpeg-process.ts';

/** At most this much (or one frame, if larger) is queued for the encoder before `write` waits. */
const BUFFER_LIMIT_BYTES = 48 * 1024 * 1024;

/**
 * An ffmpeg process encoding raw frames from stdin. It writes to a hidden temporary file beside
 * the output and renames it on success, so a failed or cancelled run leaves nothing behind.
 */
export function startEncoder(ffmpeg: string, request: EncodeRequest): FrameWriter {
  const dir = path.dirname(request.outputPath);
  const base = path.basename(request.outputPath);
  const temp = path.join(dir, `.${base}.${randomBytes(6).toString('hex')}.partial`);
  const frameBytes = request.width * request.height * LAYOUT_CHANNELS[request.layout];
  const maxBufferedBytes = Math.max(frameBytes, Math.min(4 * frameBytes, BUFFER_LIMIT_BYTES));
  const run = startProcess(ffmpeg, encoderArgs(request, temp), {
    stdin: 'pipe',
    stdout: 'ignore',
    signal: request.signal,
  });
  const stdin = run.child.stdin;
  let exit: ProcessExit | undefined;
  void run.exited.then((e) => {
    exit = e;
  });

  const failure = (e: ProcessExit): CutoutError =>
    e.spawnError
      ? new CutoutError('PROCESSING_FAILED', `cannot run ffmpeg: ${e.spawnError.message}`, {
          cause: e.spawnError,
        })
      : new CutoutError(
          'PROCESSING_FAILED',
          `ffmpeg could not encode ${base} (${request.spec.videoCodec}): ${lastErrorLine(e.stderr)}`,
        );

  const removeTemp = () => rm(temp, { force: true });

  return {
    async write(frame) {
      request.signal?.throwIfAborted();
      if (frame.length !== frameBytes) {
        throw new CutoutError(
          'PROCESSING_FAILED',
          `encoder got a ${frame.length}-byte frame, expected ${frameBytes}`,
        );
      }
      if (exit || !stdin || stdin.destroyed) throw failure(exit ?? (await run.exited));
      stdin.write(frame);
      // Waiting for 'drain' after every frame would make us idle while ffmpeg encodes it; a few
      // frames of slack let the encoder and the pipeline work at the same time.
      if (stdin.writableLength > maxBufferedBytes) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stdin.off('drain', done);
            resolve();
          };
          stdin.on('drain', done);
          void run.exited.then(done);
        });
      }
      request.signal?.throwIfAborted();
      if (exit) throw failure(exit);
    },
    async finish() {
      stdin?.end();
      const e = await run.exited;
      request.signal?.throwIfAborted();
      if (e.code !== 0 || e.spawnError) {
        await removeTemp();
        throw failure(e);
      }
      await rename(temp, request.outputPath);
    },
    async abort() {
      stdin?.destroy();
      await run.kill();
      await removeTemp();
    },
  };
}
