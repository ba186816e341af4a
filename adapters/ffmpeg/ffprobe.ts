import { open } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CutoutError } from '../../core/errors.ts';
import { abortError } from '../../core/pipeline/abortable.ts';
import {
  ACCEPTED_VIDEO_CONTAINERS,
  SNIFF_BYTES,
  type SniffedContainer,
  sniffContainer,
} from '../../core/video/sniff-container.ts';
import type { FrameRate, VideoInfo } from '../../core/video/video-codec.ts';
import { fileInputArgs } from './ffmpeg-args.ts';
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

/** The file's size and leading bytes. @throws CutoutError INPUT_NOT_FOUND */
async function readHead(file: string, label: string): Promise<{ size: number; head: Uint8Array }> {
  const handle = await open(file, 'r').catch((cause: unknown) => {
    throw new CutoutError('INPUT_NOT_FOUND', 'file not found', {
      field: 'file',
      file: label,
      cause,
    });
  });
  try {
    const { size } = await handle.stat();
    const head = new Uint8Array(Math.min(size, SNIFF_BYTES));
    await handle.read(head, 0, head.length, 0);
    return { size, head };
  } finally {
    await handle.close();
  }
}

/**
 * The demuxer for a file, from its bytes.
 * @throws CutoutError UNSUPPORTED_MEDIA (empty, an image, a playlist, an unknown container)
 */
export async function sniffVideoFile(
  file: string,
  label = path.basename(file),
): Promise<Extract<SniffedContainer, { kind: 'video' }>> {
  const { size, head } = await readHead(file, label);
  const refuse = (why: string) =>
    new CutoutError('UNSUPPORTED_MEDIA', why, { field: 'file', file: label });
  if (size === 0) throw refuse('the file is empty, not a video');
  const sniffed = sniffContainer(head);
  switch (sniffed.kind) {
    case 'video':
      return sniffed;
    case 'image':
      throw refuse(`is an image (${sniffed.format}), not a video`);
    case 'playlist':
      throw refuse('is a playlist (HLS), not a video file; send the video itself');
    case 'unknown':
      throw refuse(`is not a video container cutout reads (${ACCEPTED_VIDEO_CONTAINERS})`);
  }
}

/**
 * Reads what the pipeline needs to know about a video with ffprobe. The container is sniffed
 * from the bytes first and ffprobe is held to that demuxer and to local files.
 * @param label how messages name the file (the client's name; default: the file's own name)
 * @throws CutoutError INPUT_NOT_FOUND, UNSUPPORTED_MEDIA (empty, an image, a playlist, no video
 *   stream), DECODE_FAILED (damaged or truncated), naming the file; the signal's reason (or
 *   DEADLINE_EXCEEDED) when aborted
 */
export async function probeVideo(
  ffprobe: string,
  file: string,
  signal?: AbortSignal,
  label = path.basename(file),
): Promise<VideoInfo> {
  const name = label;
  const container = await sniffVideoFile(file, label);
  if (signal?.aborted) throw abortError(signal, name);
  const run = startProcess(
    ffprobe,
    [
      '-v',
      'error',
      '-show_streams',
      '-show_format',
      '-of',
      'json',
      ...fileInputArgs(file, container.demuxer),
    ],
    { stdin: 'ignore', stdout: 'pipe', signal },
  );
  let out = '';
  run.child.stdout?.setEncoding('utf8');
  run.child.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  const exit = await run.exited;
  if (signal?.aborted) throw abortError(signal, name);
  if (exit.spawnError) {
    throw new CutoutError('PROCESSING_FAILED', `cannot run ffprobe: ${exit.spawnError.message}`, {
      cause: exit.spawnError,
    });
  }
  if (exit.code !== 0) {
    const why = lastErrorLine(exit.stderr, new Map([[file, name]]));
    throw DAMAGED.test(exit.stderr)
      ? new CutoutError('DECODE_FAILED', `the video is damaged or truncated (${why})`, {
          field: 'file',
          file: name,
        })
      : new CutoutError('UNSUPPORTED_MEDIA', `not a video file ffmpeg can read (${why})`, {
          field: 'file',
          file: name,
        });
  }
  const parsed = probeSchema.safeParse(JSON.parse(out || '{}'));
  if (!parsed.success) {
    throw new CutoutError('DECODE_FAILED', 'ffprobe gave unexpected output', {
      field: 'file',
      file: name,
    });
  }
  const { streams, format } = parsed.data;
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video?.width || !video.height) {
    throw new CutoutError('UNSUPPORTED_MEDIA', 'has no video stream', {
      field: 'file',
      file: name,
    });
  }
  const frameRate = parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate);
  if (!frameRate) {
    throw new CutoutError('DECODE_FAILED', 'the video has no usable frame rate', {
      field: 'file',
      file: name,
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
    container: container.demuxer,
  };
}
