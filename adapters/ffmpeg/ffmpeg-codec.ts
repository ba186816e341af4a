import { readFile } from 'node:fs/promises';
import type { VideoCodec } from '../../core/video/video-codec.ts';
import { type FfmpegBinaries, locateFfmpeg } from './ffmpeg-binaries.ts';
import { startPass } from './ffmpeg-pass.ts';
import { probeVideo } from './ffprobe.ts';

/**
 * The VideoCodec port over ffmpeg/ffprobe child processes.
 * @param binaries explicit paths; default: FFMPEG_PATH / FFPROBE_PATH, then PATH, from `env`
 * @throws CutoutError PROCESSING_FAILED when ffmpeg or ffprobe cannot be found
 */
export function createFfmpegCodec(
  options: { binaries?: FfmpegBinaries; env?: Record<string, string | undefined> } = {},
): VideoCodec {
  const binaries = options.binaries ?? locateFfmpeg(options.env ?? process.env);
  return {
    probe: (file, signal, label) => probeVideo(binaries.ffprobe, file, signal, label),
    start: (request) => startPass(binaries.ffmpeg, request),
    readImage: (file) => readFile(file),
  };
}
