import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../adapters/http/proxy-event.ts';
import type { MarkUploadedOutcome } from '../../../core/jobs/mark-uploaded.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * The local stack delivers S3 upload events as AWS does: after the upload has been answered,
 * asynchronously, so an inline file's event races the convert handler writing the job. Some
 * events find the file already queued by its job; none queues it a second time.
 */

const JOBS = 12;
let stack: LocalStack;
const outcomes: MarkUploadedOutcome[] = [];

beforeAll(async () => {
  stack = await startTestStack({ workers: 2 });
  const { onUpload } = stack.handlers;
  stack.emulators.setObjectCreatedListener(async (event: S3Event) => {
    outcomes.push(...(await onUpload(event, lambdaContext('cutout-on-upload', 60_000))));
  });
});

afterAll(async () => stack?.stop());

describe('upload events in the local stack', () => {
  it('reach on-upload after the convert handler wrote the items, and queue nothing twice', async () => {
    const png = await samplePng(24, 24);
    const uuids = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const form = new FormData();
        form.append('convert_to', 'image-backgroundremover');
        form.append('files', new Blob([png], { type: 'image/png' }), `race-${i}.png`);
        const res = await fetch(`${stack.url}/v1/convert/`, {
          method: 'POST',
          headers: { Authorization: stack.apiKey },
          body: form,
        });
        return ((await res.json()) as { uuid: string }).uuid;
      }),
    );
    for (const uuid of uuids) {
      const reply = await waitFinished(stack, uuid);
      expect(reply.files).toHaveLength(1);
    }
    await stack.emulators.uploadsSettled();
    const afterItems = outcomes.filter(
      (o) => o.outcome === 'ignored' && o.reason.endsWith('is already queued'),
    ).length;
    const beforeItems = outcomes.filter(
      (o) => o.outcome === 'ignored' && o.reason.includes('(inline file)'),
    ).length;
    console.log(
      `upload events: ${outcomes.length} for ${JOBS} inline files; ${afterItems} after the job was written, ` +
        `${beforeItems} before, ${outcomes.filter((o) => o.outcome === 'queued').length} queued a file`,
    );
    expect(outcomes).toHaveLength(JOBS);
    expect(outcomes.every((o) => o.outcome === 'ignored')).toBe(true);
    // The race is real: with 0-250 ms of delivery delay, events land after the items.
    expect(afterItems).toBeGreaterThan(0);
  });
});
