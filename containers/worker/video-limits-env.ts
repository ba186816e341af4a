import { z } from 'zod';
import { parseConfig } from '../../core/config/contract.ts';
import { DEFAULT_VIDEO_LIMITS, type VideoLimits } from '../../core/video/video-limits.ts';

/** The worker's video bounds (core/video/video-limits.ts), each overridable by one variable. */
export const VIDEO_LIMITS_ENV = {
  maxWidth: 'WORKER_VIDEO_MAX_WIDTH',
  maxHeight: 'WORKER_VIDEO_MAX_HEIGHT',
  maxDurationSeconds: 'WORKER_VIDEO_MAX_SECONDS',
  maxFrames: 'WORKER_VIDEO_MAX_FRAMES',
  maxOutputMiB: 'WORKER_VIDEO_MAX_OUTPUT_MB',
  frameQueueMiB: 'WORKER_VIDEO_FRAME_QUEUE_MB',
  maxBackgroundMegapixels: 'WORKER_VIDEO_MAX_BACKGROUND_MEGAPIXELS',
  deadlineFloorSeconds: 'WORKER_VIDEO_DEADLINE_FLOOR_SECONDS',
  deadlineSecondsPerSecond: 'WORKER_VIDEO_DEADLINE_PER_SECOND',
} as const;

const MiB = 1024 ** 2;
const d = DEFAULT_VIDEO_LIMITS;
const count = (min: number, max: number, fallback: number, meaning: string) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(meaning);
const amount = (min: number, max: number, fallback: number, meaning: string) =>
  z.coerce.number().min(min).max(max).default(fallback).describe(meaning);

/** Each bound unset keeps core/video/video-limits.ts's default. */
export const videoLimitsEnvShape = {
  [VIDEO_LIMITS_ENV.maxWidth]: count(16, 16_384, d.maxWidth, 'Widest video accepted, in pixels.'),
  [VIDEO_LIMITS_ENV.maxHeight]: count(
    16,
    16_384,
    d.maxHeight,
    'Tallest video accepted, in pixels.',
  ),
  [VIDEO_LIMITS_ENV.maxDurationSeconds]: count(
    1,
    86_400,
    d.maxDurationSeconds,
    'Longest video accepted, in seconds.',
  ),
  [VIDEO_LIMITS_ENV.maxFrames]: count(1, 10_000_000, d.maxFrames, 'Most frames in one video.'),
  [VIDEO_LIMITS_ENV.maxOutputMiB]: count(
    1,
    5_000_000,
    d.maxOutputBytes / MiB,
    'Largest video output, in MiB; past it the file fails.',
  ),
  [VIDEO_LIMITS_ENV.frameQueueMiB]: count(
    16,
    65_536,
    d.frameQueueBytes / MiB,
    'Memory for whole frames waiting on their masks, in MiB.',
  ),
  [VIDEO_LIMITS_ENV.maxBackgroundMegapixels]: amount(
    0.01,
    1_000,
    d.maxBackgroundPixels / 1_000_000,
    'Largest background image, in megapixels.',
  ),
  [VIDEO_LIMITS_ENV.deadlineFloorSeconds]: count(
    1,
    86_400,
    d.deadlineFloorSeconds,
    'Least time a video file gets, in seconds.',
  ),
  [VIDEO_LIMITS_ENV.deadlineSecondsPerSecond]: amount(
    0.1,
    1_000,
    d.deadlineSecondsPerSecond,
    'Seconds of deadline per second of video.',
  ),
};

type VideoLimitsEnv = z.infer<z.ZodObject<typeof videoLimitsEnvShape>>;

/** The bounds from parsed variables (sizes in bytes and pixels). */
export function videoLimitsFrom(e: VideoLimitsEnv): VideoLimits {
  return Object.freeze({
    maxWidth: e[VIDEO_LIMITS_ENV.maxWidth],
    maxHeight: e[VIDEO_LIMITS_ENV.maxHeight],
    maxDurationSeconds: e[VIDEO_LIMITS_ENV.maxDurationSeconds],
    maxFrames: e[VIDEO_LIMITS_ENV.maxFrames],
    maxOutputBytes: e[VIDEO_LIMITS_ENV.maxOutputMiB] * MiB,
    frameQueueBytes: e[VIDEO_LIMITS_ENV.frameQueueMiB] * MiB,
    maxBackgroundPixels: Math.round(e[VIDEO_LIMITS_ENV.maxBackgroundMegapixels] * 1_000_000),
    deadlineFloorSeconds: e[VIDEO_LIMITS_ENV.deadlineFloorSeconds],
    deadlineSecondsPerSecond: e[VIDEO_LIMITS_ENV.deadlineSecondsPerSecond],
  });
}

/** @throws CutoutError CONFIGURATION naming every bad variable */
export function parseVideoLimitsEnv(env: Record<string, string | undefined>): VideoLimits {
  return videoLimitsFrom(parseConfig(videoLimitsEnvShape, env));
}
