import type { VideoCodec } from '../../core/video/video-codec.ts';
import { type FfmpegBinaries, locateFfmpeg } from './ffmpeg-binaries.ts';
import { startDecoder } from './ffmpeg-decoder.ts';
import { startEncoder } from './ffmpeg-encoder.ts';
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
    probe: (file, signal) => probeVideo(binaries.ffprobe, file, signal),
    decode: (request) => startDecoder(binaries.ffmpeg, request),
    encode: (request) => startEncoder(binaries.ffmpeg, request),
  };
}
