import { randomBytes } from 'node:crypto';
import {
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderBytes } from '../../../local/disk-budget.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import { roundTrip } from '../../support/job-round-trip.ts';
import { startTestStack } from './local-stack-harness.ts';

/**
 * The local stack's TTL sweeper does what DynamoDB TTL and the buckets' lifecycle rules do on
 * AWS: once a job's expiry has passed, its items, input and output are gone and its data no
 * longer takes disk; before, nothing is touched; multipart uploads abandoned for a day are
 * aborted. A clock ahead of the real one stands in for the days passing.
 */

const DAY_MS = 86_400_000;
const TTL_DAYS = 7;
let stack: LocalStack;
let file: Uint8Array<ArrayBuffer>;

async function objectKeys(bucket: string): Promise<string[]> {
  const page = await stack.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key ?? '');
}

async function jobItems(): Promise<Record<string, unknown>[]> {
  const page = await stack.clients.dynamo.send(
    new ScanCommand({ TableName: stack.emulators.resources.jobsTable }),
  );
  return page.Items ?? [];
}

async function resultsStatus(uuid: string): Promise<number> {
  const res = await fetch(`${stack.url}/v1/results/`, {
    method: 'POST',
    body: new URLSearchParams({ uuid }),
  });
  await res.arrayBuffer();
  return res.status;
}

const job = (name: string) =>
  roundTrip({ url: stack.url, apiKey: stack.apiKey, file, name, type: 'image/png' });

beforeAll(async () => {
  stack = await startTestStack({ sweepIntervalMs: 0 });
  file = new Uint8Array(
    await sharp(randomBytes(128 * 128 * 3), { raw: { width: 128, height: 128, channels: 3 } })
      .png()
      .toBuffer(),
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('TTL sweeper', () => {
  it('removes expired jobs (items, inputs, outputs) and nothing before they expire', {
    timeout: 120_000,
  }, async () => {
    const { inputBucket, outputBucket } = stack.emulators.resources;
    const objectsDir = `${stack.dataDir}/objects`;
    const empty = await folderBytes(objectsDir);
    const done = await Promise.all([job('a.png'), job('b.png'), job('c.png')]);
    expect(done.map((d) => d.files)).toEqual([1, 1, 1]);
    const stored = await folderBytes(objectsDir);
    expect(stored - empty).toBeGreaterThan(3 * file.byteLength);

    // Today and the day before expiry: everything stays and is served.
    for (const at of [Date.now(), Date.now() + (TTL_DAYS - 1) * DAY_MS]) {
      expect(await stack.sweep(at)).toEqual({ items: 0, objects: 0, uploads: 0 });
    }
    expect(await objectKeys(inputBucket)).toHaveLength(3);
    expect(await objectKeys(outputBucket)).toHaveLength(3);
    for (const d of done) expect(await resultsStatus(d.uuid)).toBe(200);

    // After the TTL: a job item and a file item per job, an input and an output per job.
    const report = await stack.sweep(Date.now() + (TTL_DAYS + 1) * DAY_MS);
    expect(report).toEqual({ items: 6, objects: 6, uploads: 0 });
    expect(await jobItems()).toEqual([]);
    expect(await objectKeys(inputBucket)).toEqual([]);
    expect(await objectKeys(outputBucket)).toEqual([]);
    expect(await folderBytes(objectsDir)).toBeLessThanOrEqual(empty);
    for (const d of done) expect(await resultsStatus(d.uuid)).toBe(404);

    // The keys table has no TTL: the key still works, and a new job is untouched by a sweep.
    const later = await job('d.png');
    expect(later.files).toBe(1);
    expect(await stack.sweep(Date.now())).toEqual({ items: 0, objects: 0, uploads: 0 });
    expect(await resultsStatus(later.uuid)).toBe(200);
  });

  it('aborts multipart uploads started more than a day before', async () => {
    const s3 = stack.clients.s3;
    const Bucket = stack.emulators.resources.inputBucket;
    const Key = 'jobs/abandoned/0000/big.mp4';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    await s3.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: randomBytes(1024) }),
    );
    // fauxqs has no ListParts: another part is the probe of whether the upload still exists.
    const part = (PartNumber: number) =>
      s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: randomBytes(16) }));
    expect((await stack.sweep(Date.now() + DAY_MS / 2)).uploads).toBe(0);
    await expect(part(2)).resolves.toBeDefined();

    expect((await stack.sweep(Date.now() + DAY_MS + 60_000)).uploads).toBe(1);
    await expect(part(3)).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });
});
