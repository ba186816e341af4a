import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';

/** S3ObjectStore.get with a byte cap, against the S3 emulator through the real SDK. */

let aws: EmulatedAws;
beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => aws?.stop());

describe('S3ObjectStore.get with maxBytes', () => {
  it('refuses an object over the cap by its size, naming the file and the limit', async () => {
    const key = 'jobs/u/0000/big photo.jpg';
    await aws.inputs.put(key, new Uint8Array(4096).fill(1));
    const error = await aws.inputs.get(key, { maxBytes: 4095 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'INPUT_TOO_LARGE',
      message: "'big photo.jpg' is 4096 bytes, over the 4095-byte limit",
    });
    expect((await aws.inputs.get(key, { maxBytes: 4096 })).byteLength).toBe(4096);
    expect((await aws.inputs.get(key)).byteLength).toBe(4096);
  });

  it('still reports a missing object as INPUT_NOT_FOUND', async () => {
    await expect(aws.inputs.get('jobs/u/0000/none.jpg', { maxBytes: 10 })).rejects.toMatchObject({
      code: 'INPUT_NOT_FOUND',
    });
  });
});
