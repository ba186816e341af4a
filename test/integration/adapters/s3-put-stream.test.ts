import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../adapters/aws/s3-object-store.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { requestLeftovers, scratchBucket } from '../../support/request-leftovers.ts';

/** S3ObjectStore.putStream and delete against the S3 emulator, through the real lib-storage. */

let aws: EmulatedAws;
const MIB = 1024 * 1024;

beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => aws?.stop());

function store() {
  const bucket = scratchBucket(aws);
  return { bucket, inputs: new S3ObjectStore(aws.clients.s3, aws.clients.s3Presign, bucket) };
}

/** `total` bytes in 1 MiB chunks; `after(sent)` runs before each chunk (it may throw or wait). */
async function* chunks(total: number, after?: (sent: number) => Promise<void> | void) {
  for (let sent = 0; sent < total; sent += MIB) {
    await after?.(sent);
    yield new Uint8Array(Math.min(MIB, total - sent)).fill(sent / MIB);
  }
}

const nothingLeft = (bucket: string) => requestLeftovers(aws, { bucket, jobId: randomUUID() });

describe('S3ObjectStore.putStream', () => {
  it('stores a body of several parts and reports its size', async () => {
    const { inputs } = store();
    const size = 20 * MIB + 123;
    expect(
      await inputs.putStream('a/clip.mp4', chunks(size), { contentType: 'video/mp4' }),
    ).toEqual({ size });
    expect(await inputs.head('a/clip.mp4')).toMatchObject({ size, contentType: 'video/mp4' });
    const data = await inputs.get('a/clip.mp4');
    expect([data[0], data[MIB], data[20 * MIB]]).toEqual([0, 1, 20]);
  });

  it('stops a body over maxBytes: INPUT_TOO_LARGE, its multipart upload aborted', async () => {
    const { bucket, inputs } = store();
    const error = await inputs
      .putStream('a/long.mp4', chunks(30 * MIB), { maxBytes: 18 * MIB })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'INPUT_TOO_LARGE',
      message: `'long.mp4' is over the ${18 * MIB}-byte limit`,
    });
    expect(await nothingLeft(bucket)).toEqual([]);
  });

  it("rejects with the body's own error and leaves nothing", async () => {
    const { bucket, inputs } = store();
    const broken = new Error('client went away');
    const error = await inputs
      .putStream(
        'a/b.mp4',
        chunks(30 * MIB, (sent) => {
          if (sent === 20 * MIB) throw broken;
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBe(broken);
    expect(await nothingLeft(bucket)).toEqual([]);
  });

  it('stops on abort even while the body is stalled, and leaves nothing', async () => {
    const { bucket, inputs } = store();
    const controller = new AbortController();
    const reason = new Error('idle for too long');
    const stalled = chunks(30 * MIB, async (sent) => {
      if (sent === 17 * MIB) {
        // The client stops sending; only the abort can end this read.
        setTimeout(() => controller.abort(reason), 50);
        await new Promise(() => undefined);
      }
    });
    const error = await inputs
      .putStream('a/c.mp4', stalled, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(await nothingLeft(bucket)).toEqual([]);
  });

  it('refuses at once with an already aborted signal', async () => {
    const { bucket, inputs } = store();
    const reason = new Error('gone');
    await expect(
      inputs.putStream('a/d.png', chunks(MIB), { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(await nothingLeft(bucket)).toEqual([]);
  });
});

describe('S3ObjectStore.delete', () => {
  it('removes an object, and a missing one is no error', async () => {
    const { bucket, inputs } = store();
    await inputs.put('a/x.png', new Uint8Array([1]));
    await inputs.delete('a/x.png');
    await inputs.delete('a/x.png');
    expect(await inputs.head('a/x.png')).toBeUndefined();
    expect(await nothingLeft(bucket)).toEqual([]);
  });
});
