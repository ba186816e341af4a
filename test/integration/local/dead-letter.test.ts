import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutoutError } from '../../../core/errors.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * A file whose every attempt fails with a passing (retryable) error: after maxReceiveCount
 * receives SQS moves its message to the dead-letter queue, and the dead-letter handler marks
 * the file failed with a readable reason.
 */

const MAX_RECEIVES = 3;
let stack: LocalStack;
let attempts = 0;

beforeAll(async () => {
  stack = await startTestStack({
    workers: 1,
    queues: { image: { visibilityTimeoutSeconds: 3, maxReceiveCount: MAX_RECEIVES } },
    worker: {
      waitTimeSeconds: 1,
      retryDelaySeconds: 1,
      drainMs: 2_000,
      processors: {
        image: async () => {
          attempts += 1;
          throw new CutoutError('MODEL_UNAVAILABLE', 'the GPU fell off the bus');
        },
      },
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('dead-letter path', () => {
  it('marks a file failed with a reason once its message lands in the dead-letter queue', async () => {
    const form = new FormData();
    form.append('convert_to', 'image-backgroundremover');
    form.append('files', new Blob([await samplePng(20, 20)], { type: 'image/png' }), 'doomed.png');
    const res = await fetch(`${stack.url}/v1/convert/`, {
      method: 'POST',
      headers: { Authorization: stack.apiKey },
      body: form,
    });
    const { uuid } = (await res.json()) as { uuid: string };
    const reply = await waitFinished(stack, uuid, 45_000);
    console.log(
      `dead-letter path: ${attempts} attempts, then failed: ${JSON.stringify(reply.failed)}`,
    );
    expect(attempts).toBe(MAX_RECEIVES);
    expect(reply.files).toEqual([]);
    expect(reply.failed).toHaveLength(1);
    expect(reply.failed[0]?.filename).toBe('doomed.png');
    expect(reply.failed[0]?.error).toContain('doomed.png');
    expect(reply.failed[0]?.error).toMatch(/GPU fell off the bus/);
    const dlq = stack.emulators.fauxqs.inspectQueue('cutout-image-dlq');
    expect((dlq?.messages.ready.length ?? 0) + (dlq?.messages.inflight.length ?? 0)).toBe(0);
  });
});
