import { describe, expect, it } from 'vitest';
import { parseWorkerEnv } from '../../../../containers/worker/env.ts';

const BASE = {
  JOBS_TABLE_NAME: 'jobs',
  INPUT_BUCKET_NAME: 'in',
  OUTPUT_BUCKET_NAME: 'out',
  IMAGE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/image',
  VIDEO_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/video',
};

describe('worker environment', () => {
  it('defaults to both queues with the shared queue settings and a lease below visibility', () => {
    const env = parseWorkerEnv(BASE);
    expect(
      env.queues.map((q) => [
        q.kind,
        q.visibilityTimeoutSeconds,
        q.heartbeatSeconds,
        q.concurrency,
      ]),
    ).toEqual([
      ['image', 120, 40, 1],
      ['video', 900, 300, 1],
    ]);
    expect(env.leaseMs).toBe(60_000);
    expect(env.aws).toEqual({ region: 'us-east-1' });
    expect(env.ecsAgentUri).toBeUndefined();
    expect([env.imageDeadlineMs, env.videoDeadlineMs]).toEqual([15 * 60_000, 6 * 3_600_000]);
  });

  it('reads the per-kind file deadlines and refuses a zero one', () => {
    const env = parseWorkerEnv({
      ...BASE,
      WORKER_IMAGE_DEADLINE_SECONDS: '90',
      WORKER_VIDEO_DEADLINE_SECONDS: '7200',
    });
    expect([env.imageDeadlineMs, env.videoDeadlineMs]).toEqual([90_000, 7_200_000]);
    expect(() => parseWorkerEnv({ ...BASE, WORKER_IMAGE_DEADLINE_SECONDS: '0' })).toThrow(
      /^WORKER_IMAGE_DEADLINE_SECONDS: /,
    );
  });

  it('reads tunables, emulator endpoints and the ECS agent', () => {
    const env = parseWorkerEnv({
      ...BASE,
      WORKER_QUEUES: 'image',
      WORKER_IMAGE_CONCURRENCY: '3',
      WORKER_IMAGE_VISIBILITY_SECONDS: '10',
      WORKER_HEARTBEAT_SECONDS: '9',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      ECS_AGENT_URI: 'http://169.254.170.2/api/abc',
      WORKER_SCRATCH_DIR: '',
    });
    expect(env.queues).toEqual([
      {
        kind: 'image',
        url: BASE.IMAGE_QUEUE_URL,
        concurrency: 3,
        visibilityTimeoutSeconds: 10,
        heartbeatSeconds: 5,
      },
    ]);
    expect(env.aws.endpoints).toEqual({
      s3: 'http://127.0.0.1:4566',
      sqs: 'http://127.0.0.1:4566',
      dynamodb: 'http://127.0.0.1:8000',
    });
    expect(env.ecsAgentUri).toBe('http://169.254.170.2/api/abc');
    expect(env.scratchDir).toBeUndefined();
  });

  it('reads LOG_LEVEL, info by default, and refuses an unknown level', () => {
    expect(parseWorkerEnv(BASE).logLevel).toBe('info');
    expect(parseWorkerEnv({ ...BASE, LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
    expect(() => parseWorkerEnv({ ...BASE, LOG_LEVEL: 'verbose' })).toThrow(/^LOG_LEVEL: /);
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => parseWorkerEnv({ ...BASE, JOBS_TABLE_NAME: undefined })).toThrow(
      /^JOBS_TABLE_NAME: /,
    );
    expect(() => parseWorkerEnv({ ...BASE, VIDEO_QUEUE_URL: undefined })).toThrow(
      /^VIDEO_QUEUE_URL: .*video/,
    );
    expect(() => parseWorkerEnv({ ...BASE, WORKER_QUEUES: 'audio' })).toThrow(/^WORKER_QUEUES: /);
    expect(() => parseWorkerEnv({ ...BASE, WORKER_LEASE_SECONDS: '120' })).toThrow(
      /^WORKER_LEASE_SECONDS: .*120 s/,
    );
  });
});
