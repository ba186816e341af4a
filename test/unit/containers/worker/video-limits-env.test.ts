import { describe, expect, it } from 'vitest';
import { parseWorkerEnv } from '../../../../containers/worker/env.ts';
import {
  parseVideoLimitsEnv,
  VIDEO_LIMITS_ENV,
} from '../../../../containers/worker/video-limits-env.ts';
import { ENV } from '../../../../core/config/resources.ts';
import { CutoutError } from '../../../../core/errors.ts';
import { DEFAULT_VIDEO_LIMITS } from '../../../../core/video/video-limits.ts';

describe('video limits from the worker environment', () => {
  it('defaults let a 4K, 30-minute, 60 fps clip through', () => {
    const limits = parseVideoLimitsEnv({});
    expect(limits).toEqual(DEFAULT_VIDEO_LIMITS);
    expect(limits.maxWidth).toBeGreaterThanOrEqual(3840);
    expect(limits.maxHeight).toBeGreaterThanOrEqual(3840);
    expect(limits.maxDurationSeconds).toBeGreaterThanOrEqual(1800);
    expect(limits.maxFrames).toBeGreaterThanOrEqual(1800 * 60);
  });

  it('reads each override in its own unit', () => {
    const limits = parseVideoLimitsEnv({
      [VIDEO_LIMITS_ENV.maxWidth]: '1920',
      [VIDEO_LIMITS_ENV.maxHeight]: '1080',
      [VIDEO_LIMITS_ENV.maxDurationSeconds]: '600',
      [VIDEO_LIMITS_ENV.maxFrames]: '36000',
      [VIDEO_LIMITS_ENV.maxOutputMiB]: '2048',
      [VIDEO_LIMITS_ENV.frameQueueMiB]: '256',
      [VIDEO_LIMITS_ENV.maxBackgroundMegapixels]: '24',
      [VIDEO_LIMITS_ENV.deadlineFloorSeconds]: '60',
      [VIDEO_LIMITS_ENV.deadlineSecondsPerSecond]: '2.5',
    });
    expect(limits).toEqual({
      maxWidth: 1920,
      maxHeight: 1080,
      maxDurationSeconds: 600,
      maxFrames: 36_000,
      maxOutputBytes: 2048 * 1024 ** 2,
      frameQueueBytes: 256 * 1024 ** 2,
      maxBackgroundPixels: 24_000_000,
      deadlineFloorSeconds: 60,
      deadlineSecondsPerSecond: 2.5,
    });
  });

  it('refuses a bad value naming the variable, and the worker env carries the limits', () => {
    const bad = () => parseVideoLimitsEnv({ [VIDEO_LIMITS_ENV.maxWidth]: 'wide' });
    expect(bad).toThrow(CutoutError);
    expect(bad).toThrow(/^WORKER_VIDEO_MAX_WIDTH: /);
    const env = parseWorkerEnv({
      [ENV.jobsTable]: 't',
      [ENV.inputBucket]: 'i',
      [ENV.outputBucket]: 'o',
      [ENV.videoQueueUrl]: 'q',
      WORKER_QUEUES: 'video',
      [VIDEO_LIMITS_ENV.maxFrames]: '99',
    });
    expect(env.videoLimits.maxFrames).toBe(99);
  });
});
