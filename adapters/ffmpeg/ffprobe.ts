import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CutoutError } from '../../core/errors.ts';
import type { FrameRate, VideoInfo } from '../../core/video/video-codec.ts';
import { lastErrorLine, startProcess } from './ffmpeg-process.ts';

const streamSchema = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  pix_fmt: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  nb_frames: z.string().optional(),
  duration: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).loose()).optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).loose().optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z
    .object({ format_name: z.string().optional(), duration: z.string().optional() })
    .loose()
    .optional(),
});

// Demuxers ffmpeg uses for single pictures; a GIF (format "gif") is a video and stays allowed.
const IMAGE_FORMAT = /(^|,)(image2|[a-z0-9]+_pipe)(,|$)/;
// Container messages that mean "this was a video, but it is cut short or damaged".
const DAMAGED = /moov atom not found|truncat|end of file|partial file|invalid nal|corrupt/i;

function parseRate(text: string | undefined): FrameRate | undefined {
  if (!text) return undefined;
  const [n, d = '1'] = text.split('/');
  const num = Number(n);
  const den = Number(d);
  if (!Number.isInteger(num) || !Number.isInteger(den) || num <= 0 || den <= 0) return undefined;
  // Timebase-like rates (90000/1) are container artefacts, not frame rates.
  if (num / den > 240) return undefined;
  return { num, den };
}

function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Reads what the pipeline needs to know about a video with ffprobe.
 * @throws CutoutError INPUT_NOT_FOUND, UNSUPPORTED_MEDIA (empty, an image, no video stream),
 *   DECODE_FAILED (damaged or truncated), naming the file
 */
export async function probeVideo(
  ffprobe: string,
  file: string,
  signal?: AbortSignal,
): Promise<VideoInfo> {
  const name = path.basename(file);
  const size = await stat(file).then(
    (s) => s.size,
    (cause: unknown) => {
      throw new CutoutError('INPUT_NOT_FOUND', `${name}: file not found`, { field: 'file', cause });
    },
  );
  if (size === 0) {
    throw new CutoutError('UNSUPPORTED_MEDIA', `${name}: the file is empty, not a video`, {
      field: 'file',
    });
  }
  const run = startProcess(
    ffprobe,
    ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', '--', file],
    { stdin: 'ignore', stdout: 'pipe', signal },
  );
  let out = '';
  run.child.stdout?.setEncoding('utf8');
  run.child.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  const exit = await run.exited;
  signal?.throwIfAborted();
  if (exit.spawnError) {
    throw new CutoutError('PROCESSING_FAILED', `cannot run ffprobe: ${exit.spawnError.message}`, {
      cause: exit.spawnError,
    });
  }
  if (exit.code !== 0) {
    const why = lastErrorLine(exit.stderr);
    throw DAMAGED.test(exit.stderr)
      ? new CutoutError('DECODE_FAILED', `${name}: the video is damaged or truncated (${why})`, {
          field: 'file',
        })
      : new CutoutError('UNSUPPORTED_MEDIA', `${name}: not a video file ffmpeg can read (${why})`, {
          field: 'file',
        });
  }
  const parsed = probeSchema.safeParse(JSON.parse(out || '{}'));
  if (!parsed.success) {
    throw new CutoutError('DECODE_FAILED', `${name}: ffprobe gave unexpected output`, {
      field: 'file',
    });
  }
  const { streams, format } = parsed.data;
  const formatName = format?.format_name ?? '';
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (IMAGE_FORMAT.test(formatName)) {
    throw new CutoutError(
      'UNSUPPORTED_MEDIA',
      `${name}: is an image (${video?.codec_name ?? formatName}), not a video`,
      { field: 'file' },
    );
  }
  if (!video?.width || !video.height) {
    throw new CutoutError('UNSUPPORTED_MEDIA', `${name}: has no video stream`, { field: 'file' });
  }
  const frameRate = parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate);
  if (!frameRate) {
    throw new CutoutError('DECODE_FAILED', `${name}: the video has no usable frame rate`, {
      field: 'file',
    });
  }
  const rotation = Math.abs(
    video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ??
      Number(video.tags?.rotate ?? 0),
  );
  const quarterTurn = rotation % 180 === 90;
  const durationSeconds = positive(video.duration) ?? positive(format?.duration);
  const counted = positive(video.nb_frames);
  const frameCount =
    counted !== undefined
      ? Math.round(counted)
      : durationSeconds !== undefined
        ? Math.max(1, Math.round((durationSeconds * frameRate.num) / frameRate.den))
        : undefined;
  return {
    width: quarterTurn ? video.height : video.width,
    height: quarterTurn ? video.width : video.height,
    frameRate,
    frameCount,
    durationSeconds,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    pixelFormat: video.pix_fmt,
  };
}
