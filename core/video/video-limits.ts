import { CutoutError } from '../errors.ts';
import { DEFAULT_MAX_PIXELS } from '../pipeline/limits.ts';
import type { VideoInfo } from './video-codec.ts';

/**
 * What one video may cost: checked on the probe before anything is decoded, and again while
 * frames are read (a container may understate its length). The defaults let a 4K, 30-minute
 * clip through at up to 60 fps; the worker reads its own values from the environment.
 */
export interface VideoLimits {
  /** Display size after rotation, in pixels (4K UHD and DCI, landscape or portrait, pass). */
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly maxDurationSeconds: number;
  /** Frames read from the input (after frame_limit). */
  readonly maxFrames: number;
  /** The encoded output; ffmpeg stops writing past it and the file fails. */
  readonly maxOutputBytes: number;
  /** Memory the encoder may queue for whole frames waiting on their masks. */
  readonly frameQueueBytes: number;
  /** A background image's width*height, checked on its header before it is decoded. */
  readonly maxBackgroundPixels: number;
  /**
   * The video's own deadline: floor + perSecond x its duration (after frame_limit). The
   * caller's deadline, the per-kind ceiling, still applies on top.
   */
  readonly deadlineFloorSeconds: number;
  readonly deadlineSecondsPerSecond: number;
}

export const DEFAULT_VIDEO_LIMITS: VideoLimits = Object.freeze({
  maxWidth: 4096,
  maxHeight: 4096,
  maxDurationSeconds: 3600,
  maxFrames: 216_000,
  maxOutputBytes: 10 * 1024 ** 3,
  frameQueueBytes: 512 * 1024 ** 2,
  maxBackgroundPixels: DEFAULT_MAX_PIXELS,
  // Generous enough for the largest model on CPU (about 2 s a frame at 30 fps); the per-kind
  // ceiling still applies on top.
  deadlineFloorSeconds: 300,
  deadlineSecondsPerSecond: 60,
});

function tooLarge(label: string, field: string, what: string): CutoutError {
  return new CutoutError('INPUT_TOO_LARGE', what, { field, file: label });
}

/**
 * Refuses a video whose probe is over the limits, before any frame is decoded. `frames` and
 * `durationSeconds` are what will be read (frame_limit applied); unknown values are bounded
 * while reading instead.
 * @throws CutoutError INPUT_TOO_LARGE naming the file and the limit
 */
export function assertVideoWithinLimits(
  info: Pick<VideoInfo, 'width' | 'height'>,
  work: { readonly frames: number | undefined; readonly durationSeconds: number | undefined },
  limits: VideoLimits,
  label: string,
  field = 'file',
): void {
  if (info.width > limits.maxWidth) {
    throw tooLarge(label, field, `${info.width} pixels wide, over the limit of ${limits.maxWidth}`);
  }
  if (info.height > limits.maxHeight) {
    throw tooLarge(
      label,
      field,
      `${info.height} pixels high, over the limit of ${limits.maxHeight}`,
    );
  }
  if (work.durationSeconds !== undefined && work.durationSeconds > limits.maxDurationSeconds) {
    throw tooLarge(
      label,
      field,
      `${Math.round(work.durationSeconds)} s long, over the limit of ${limits.maxDurationSeconds} s`,
    );
  }
  if (work.frames !== undefined && work.frames > limits.maxFrames) {
    throw tooLarge(label, field, `${work.frames} frames, over the limit of ${limits.maxFrames}`);
  }
}

/** The error when more frames arrive than the limit allows (the probe said fewer, or nothing). */
export function tooManyFrames(label: string, limits: VideoLimits): CutoutError {
  return tooLarge(label, 'file', `more than ${limits.maxFrames} frames, over the limit`);
}

// setTimeout's longest delay (about 24.8 days); a longer deadline is no deadline.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** The video's own deadline in milliseconds, or undefined when its duration is unknown. */
export function videoDeadlineMs(
  durationSeconds: number | undefined,
  limits: VideoLimits,
): number | undefined {
  if (durationSeconds === undefined) return undefined;
  const ms =
    (limits.deadlineFloorSeconds + limits.deadlineSecondsPerSecond * durationSeconds) * 1000;
  return Number.isFinite(ms) && ms <= LONGEST_TIMER_MS ? ms : undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
