import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Mask, RgbImage } from '../../core/image/raster.ts';

const run = promisify(execFile);

export interface ClipOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly seconds?: number;
  readonly audio?: boolean;
  /** Container/codec by extension of `file`: .mp4 (h264+aac), .mov, .webm, .gif. */
}

/**
 * Writes a small test clip: a red box (the "subject") moving slowly right over a blue field,
 * plus a 440 Hz tone when `audio` is set. Red-dominant pixels are the foreground.
 */
export async function makeClip(file: string, options: ClipOptions = {}): Promise<void> {
  const { width = 64, height = 48, fps = 10, seconds = 1, audio = true } = options;
  const video = `color=c=blue:s=${width}x${height}:r=${fps}:d=${seconds}[bg];color=c=red:s=${Math.round(width * 0.375)}x${Math.round(height / 3)}:r=${fps}:d=${seconds}[fg];[bg][fg]overlay=x='4+t*4':y=${Math.round(height / 3)}:shortest=1[v]`;
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `${video.replace('[v]', '')}`,
  ];
  if (audio)
    args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`);
  args.push('-map', '0:v');
  if (audio) args.push('-map', '1:a', '-c:a', 'aac');
  if (file.endsWith('.mp4')) args.push('-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '5');
  args.push('-shortest', file);
  await run('ffmpeg', args);
}

/** A still picture (PNG) written by ffmpeg, for "an image sent as video". */
export async function makeStill(file: string): Promise<void> {
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=green:s=32x24:d=1',
    '-frames:v',
    '1',
    file,
  ]);
}

/** Stand-in segmentation: red-dominant pixels are foreground (255), the rest background (0). */
export async function redDominantMasks(frames: readonly RgbImage[]): Promise<Mask[]> {
  return frames.map(({ data, width, height }) => {
    const mask = new Uint8Array(width * height);
    for (let p = 0; p < mask.length; p++) {
      const r = data[p * 3] ?? 0;
      const g = data[p * 3 + 1] ?? 0;
      const b = data[p * 3 + 2] ?? 0;
      mask[p] = r > g + 60 && r > b + 60 ? 255 : 0;
    }
    return { data: mask, width, height };
  });
}
