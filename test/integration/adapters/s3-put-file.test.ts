import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';

/**
 * S3ObjectStore.putFile against the S3 emulator: a result larger than the emulator's 11 MiB
 * request limit (a video output) is stored whole, in parts the emulator takes.
 */

let aws: EmulatedAws;
let dir: string;

beforeAll(async () => {
  aws = await startEmulatedAws();
  dir = await mkdtemp(join(tmpdir(), 'cutout-put-file-'));
});

afterAll(async () => {
  await aws?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('S3ObjectStore.putFile', () => {
  it('stores a 40 MiB file, as a large video result is', async () => {
    const file = join(dir, 'result.mov');
    const data = randomBytes(40 * 1024 * 1024);
    await writeFile(file, data);
    await aws.outputs.putFile('jobs/x/result.mov', file, { contentType: 'video/quicktime' });
    const head = await aws.outputs.head('jobs/x/result.mov');
    expect(head?.size).toBe(data.length);
  });
});
