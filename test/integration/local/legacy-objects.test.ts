import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../../core/config/resources.ts';
import { type Emulators, startEmulators } from '../../../local/emulators.ts';

/**
 * A data folder from before objects were files: fauxqs kept them in its SQLite database. The
 * emulators move them into the file store on start, bodies, types and metadata intact, so jobs
 * kept by an older version still have their inputs and results.
 */

let dataDir: string;
let emulators: Emulators | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cutout-legacy-'));
  // What the previous version started: fauxqs persisting everything, objects included, in SQLite.
  const old = await startFauxqs({ port: 0, logger: false, dataDir: join(dataDir, 'fauxqs') });
  old.createBucket(RESOURCES.outputBucket);
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${old.port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: RESOURCES.outputBucket,
      Key: 'jobs/old-job/cat.png',
      Body: Buffer.from('old png bytes'),
      ContentType: 'image/png',
      Metadata: { 'cutout-model': 'u2net' },
    }),
  );
  s3.destroy();
  await old.stop();
});

afterAll(async () => {
  await emulators?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('objects persisted by an older version', () => {
  it('are moved into the file store with their bytes, type and metadata', async () => {
    emulators = await startEmulators({ dataDir });
    const s3 = new S3Client({
      region: emulators.region,
      endpoint: emulators.endpoints.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const got = await s3.send(
      new GetObjectCommand({ Bucket: RESOURCES.outputBucket, Key: 'jobs/old-job/cat.png' }),
    );
    expect(await got.Body?.transformToString()).toBe('old png bytes');
    expect(got.ContentType).toBe('image/png');
    expect(got.Metadata).toEqual({ 'cutout-model': 'u2net' });
    s3.destroy();
  });
});
