import { describe, expect, it } from 'vitest';
import { parseWorkerEnv } from '../../../../containers/worker/env.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../../../../core/jobs/job-limits.ts';

const BASE = {
  JOBS_TABLE_NAME: 'jobs',
  INPUT_BUCKET_NAME: 'in',
  OUTPUT_BUCKET_NAME: 'out',
  IMAGE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/image',
  VIDEO_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/video',
};

describe('worker environment: the image cap', () => {
  it('reads MAX_IMAGE_BYTES, defaulting to 100 MiB, and names it when it is bad', () => {
    expect(DEFAULT_MAX_IMAGE_BYTES).toBe(100 * 1024 * 1024);
    expect(parseWorkerEnv(BASE).maxImageBytes).toBe(DEFAULT_MAX_IMAGE_BYTES);
    expect(parseWorkerEnv({ ...BASE, MAX_IMAGE_BYTES: '5000000' }).maxImageBytes).toBe(5_000_000);
    expect(() => parseWorkerEnv({ ...BASE, MAX_IMAGE_BYTES: 'lots' })).toThrow(/^MAX_IMAGE_BYTES:/);
  });
});
