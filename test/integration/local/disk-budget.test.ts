import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/local-stack.ts';
import { roundTrip } from '../../support/job-round-trip.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * The disk budget: a stack whose data folder is over its budget refuses new jobs on either
 * front door with 507 INSUFFICIENT_STORAGE before writing anything (no item, no object), and
 * still serves the jobs it has.
 */

let dataDir: string;
let file: Uint8Array<ArrayBuffer>;
let finished: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cutout-budget-'));
  file = await samplePng(40, 30, 4);
  const first = await startTestStack({ dataDir });
  try {
    const done = await roundTrip({
      url: first.url,
      apiKey: first.apiKey,
      file,
      name: 'before.png',
      type: 'image/png',
    });
    expect(done.files).toBe(1);
    finished = done.uuid;
  } finally {
    await first.stop();
  }
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function stored(stack: LocalStack): Promise<{ items: number; objects: number }> {
  const { jobsTable, inputBucket, outputBucket } = stack.emulators.resources;
  const scan = await stack.clients.dynamo.send(new ScanCommand({ TableName: jobsTable }));
  let objects = 0;
  for (const bucket of [inputBucket, outputBucket]) {
    const page = await stack.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    objects += page.KeyCount ?? 0;
  }
  return { items: scan.Count ?? 0, objects };
}

for (const frontDoor of ['streaming', 'lambda'] as const) {
  describe(`disk budget (${frontDoor} door)`, () => {
    it('refuses a new job with 507 before writing it and serves the jobs it has', {
      timeout: 60_000,
    }, async () => {
      const stack = await startTestStack({ dataDir, frontDoor, diskBudgetBytes: 1 });
      try {
        const before = await stored(stack);
        const form = new FormData();
        form.append('convert_to', 'image-backgroundremover');
        form.append('files', new Blob([file], { type: 'image/png' }), 'refused.png');
        const res = await fetch(`${stack.url}/v1/convert/`, {
          method: 'POST',
          headers: { Authorization: stack.apiKey },
          body: form,
        });
        expect(res.status).toBe(507);
        const body = (await res.json()) as { code: string; error: string };
        expect(body.code).toBe('INSUFFICIENT_STORAGE');
        expect(body.error).toMatch(/disk budget \(CUTOUT_DISK_BUDGET\)/);
        expect(body.error).not.toContain(dataDir);
        await stack.emulators.uploadsSettled();
        expect(await stored(stack)).toEqual(before);

        const kept = await waitFinished(stack, finished);
        expect(kept.files).toHaveLength(1);
        const download = await fetch(new URL(kept.files[0]?.url ?? '', stack.url));
        expect(download.status).toBe(200);
      } finally {
        await stack.stop();
      }
    });
  });
}
