import { z } from 'zod';
import { invalidField } from '../../core/errors.ts';
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
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();
const amount = (min: number, max: number) => z.coerce.number().min(min).max(max).optional();

const schema = z.object({
  [VIDEO_LIMITS_ENV.maxWidth]: count(16, 16_384),
  [VIDEO_LIMITS_ENV.maxHeight]: count(16, 16_384),
  [VIDEO_LIMITS_ENV.maxDurationSeconds]: count(1, 86_400),
  [VIDEO_LIMITS_ENV.maxFrames]: count(1, 10_000_000),
  [VIDEO_LIMITS_ENV.maxOutputMiB]: count(1, 5_000_000),
  [VIDEO_LIMITS_ENV.frameQueueMiB]: count(16, 65_536),
  [VIDEO_LIMITS_ENV.maxBackgroundMegapixels]: amount(0.01, 1_000),
  [VIDEO_LIMITS_ENV.deadlineFloorSeconds]: count(1, 86_400),
  [VIDEO_LIMITS_ENV.deadlineSecondsPerSecond]: amount(0.1, 1_000),
});

/** @throws CutoutError INVALID_REQUEST naming the variable */
export function parseVideoLimitsEnv(env: Record<string, string | undefined>): VideoLimits {
  const present = Object.fromEntries(
    Object.values(VIDEO_LIMITS_ENV)
      .map((name) => [name, env[name]?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidField(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'invalid');
  }
  const e = parsed.data;
  const d = DEFAULT_VIDEO_LIMITS;
  const megapixels = e[VIDEO_LIMITS_ENV.maxBackgroundMegapixels];
  const outputMiB = e[VIDEO_LIMITS_ENV.maxOutputMiB];
  const queueMiB = e[VIDEO_LIMITS_ENV.frameQueueMiB];
  return Object.freeze({
    maxWidth: e[VIDEO_LIMITS_ENV.maxWidth] ?? d.maxWidth,
    maxHeight: e[VIDEO_LIMITS_ENV.maxHeight] ?? d.maxHeight,
    maxDurationSeconds: e[VIDEO_LIMITS_ENV.maxDurationSeconds] ?? d.maxDurationSeconds,
    maxFrames: e[VIDEO_LIMITS_ENV.maxFrames] ?? d.maxFrames,
    maxOutputBytes: outputMiB === undefined ? d.maxOutputBytes : outputMiB * MiB,
    frameQueueBytes: queueMiB === undefined ? d.frameQueueBytes : queueMiB * MiB,
    maxBackgroundPixels:
      megapixels === undefined ? d.maxBackgroundPixels : Math.round(megapixels * 1_000_000),
    deadlineFloorSeconds: e[VIDEO_LIMITS_ENV.deadlineFloorSeconds] ?? d.deadlineFloorSeconds,
    deadlineSecondsPerSecond:
      e[VIDEO_LIMITS_ENV.deadlineSecondsPerSecond] ?? d.deadlineSecondsPerSecond,
  });
}
