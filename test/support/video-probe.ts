import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedOutput {
  readonly format: string;
  readonly duration: number;
  readonly video: {
    readonly codec: string;
    readonly pixFmt: string;
    readonly width: number;
    readonly height: number;
    readonly frameRate: string;
    readonly frames: number;
    readonly alphaMode: string | undefined;
  };
  readonly audioCodec: string | undefined;
}

/** What a test needs to know about an output file, frames counted by decoding. */
export async function probeOutput(file: string): Promise<ProbedOutput> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    file,
  ]);
  const json = JSON.parse(stdout) as {
    streams: Record<string, unknown>[];
    format: Record<string, unknown>;
  };
  const v = json.streams.find((s) => s.codec_type === 'video');
  if (!v) throw new Error(`${file} has no video stream`);
  const a = json.streams.find((s) => s.codec_type === 'audio');
  const tags = (v.tags ?? {}) as Record<string, string>;
  return {
    format: String(json.format.format_name),
    duration: Number(json.format.duration),
    video: {
      codec: String(v.codec_name),
      pixFmt: String(v.pix_fmt),
      width: Number(v.width),
      height: Number(v.height),
      frameRate: String(v.avg_frame_rate),
      frames: Number(v.nb_read_frames),
      alphaMode: tags.alpha_mode ?? tags.ALPHA_MODE,
    },
    audioCodec: a ? String(a.codec_name) : undefined,
  };
}

/** Decodes a file to raw frames of `pixFmt` (gray, rgba, ...) at its own size. */
export async function decodeFrames(
  file: string,
  pixFmt: 'gray' | 'rgba' | 'rgb24',
  decoder?: string,
): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      ...(decoder ? ['-c:v', decoder] : []),
      '-i',
      file,
      '-f',
      'rawvideo',
      '-pix_fmt',
      pixFmt,
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}
