import { stat } from 'node:fs/promises';
import { CutoutError } from '../../core/errors.ts';
import { formatBytes } from '../../core/video/video-limits.ts';
import { lastErrorLine, type ProcessExit, type RunningProcess } from './ffmpeg-process.ts';

/**
 * The state a pass's decoder and encoder share: how each has exited, and which exit (or the
 * output limit) is the pass's real failure.
 */

/** How a pass names its files to clients (ffmpeg names files by path in its errors). */
export interface PassNames {
  /** The source as the client knows it. */
  readonly name: string;
  /** The output's file name. */
  readonly base: string;
  /** The hidden temporary output, renamed to the output on success. */
  readonly temp: string;
  /** Local path -> name shown to the client, for ffmpeg's error lines. */
  readonly labels: ReadonlyMap<string, string>;
  readonly videoCodec: string;
  readonly maxOutputBytes: number | undefined;
}

export interface PassExits {
  readonly decoder: ProcessExit | undefined;
  readonly encoder: ProcessExit | undefined;
  encoderFailure(exit: ProcessExit): CutoutError;
  decoderFailure(exit: ProcessExit): CutoutError;
  /** ffmpeg's `-fs` ends the encoder as if done once the output reaches the limit. */
  outputTooLarge(): Promise<CutoutError | undefined>;
  /**
   * The first real failure: the output limit, then the encoder when it died first (the decoder
   * then only lost its pipe), then the decoder.
   */
  failure(): Promise<CutoutError | undefined>;
}

const ENCODER_EXIT_WAIT_MS = 2_000;

/** Records both processes' exits as they happen; `onEncoderExit` runs after the encoder's. */
export function watchPassExits(
  decoder: RunningProcess,
  encoder: RunningProcess,
  names: PassNames,
  onEncoderExit: () => void,
): PassExits {
  let decoderExit: ProcessExit | undefined;
  let encoderExit: ProcessExit | undefined;
  void decoder.exited.then((e) => {
    decoderExit = e;
  });
  void encoder.exited.then((e) => {
    encoderExit = e;
    onEncoderExit();
  });

  const encoderFailure = (e: ProcessExit): CutoutError =>
    e.spawnError
      ? cannotRun(e.spawnError)
      : new CutoutError(
          'PROCESSING_FAILED',
          `ffmpeg could not encode ${names.base} (${names.videoCodec}): ${lastErrorLine(e.stderr, names.labels)}`,
        );
  const decoderFailure = (e: ProcessExit): CutoutError =>
    e.spawnError
      ? cannotRun(e.spawnError)
      : new CutoutError(
          'DECODE_FAILED',
          `the video could not be decoded (${lastErrorLine(e.stderr, names.labels)})`,
          { field: 'file', file: names.name },
        );
  const failed = (e: ProcessExit | undefined): e is ProcessExit =>
    e !== undefined && !isCleanExit(e);
  const limit = names.maxOutputBytes;
  const outputTooLarge = async (): Promise<CutoutError | undefined> => {
    if (limit === undefined || encoderExit === undefined || !isCleanExit(encoderExit)) {
      return undefined;
    }
    const size = await stat(names.temp).then(
      (s) => s.size,
      () => 0,
    );
    if (size < limit) return undefined;
    return new CutoutError(
      'INPUT_TOO_LARGE',
      `the output ${names.base} grew past the limit of ${formatBytes(limit)}; send a shorter or smaller video, or a lighter output format`,
      { field: 'file', file: names.name },
    );
  };

  return {
    get decoder() {
      return decoderExit;
    },
    get encoder() {
      return encoderExit;
    },
    encoderFailure,
    decoderFailure,
    outputTooLarge,
    async failure() {
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
    },
  };
}

export function isCleanExit(e: ProcessExit): boolean {
  return e.code === 0 && e.spawnError === undefined;
}

function cannotRun(error: Error): CutoutError {
  return new CutoutError('PROCESSING_FAILED', `cannot run ffmpeg: ${error.message}`, {
    cause: error,
  });
}

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
