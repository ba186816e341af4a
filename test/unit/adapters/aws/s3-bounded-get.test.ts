import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../../adapters/aws/s3-object-store.ts';

/** The second guard of a capped read; the size check itself runs against the emulator in test/integration/adapters. */

describe('S3ObjectStore.get with maxBytes', () => {
  it('stops reading a body that runs past the cap when no length was announced', async () => {
    let pulled = 0;
    const chunks = function* () {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield new Uint8Array(1000);
      }
    };
    // A response without Content-Length (chunked transfer): only the running count can stop it.
    const wire = {
      send: async () => ({ Body: Readable.from(chunks()), ContentLength: undefined }),
    } as unknown as S3Client;
    const store = new S3ObjectStore(wire, wire, 'b');
    await expect(store.get('jobs/u/0000/a.png', { maxBytes: 2500 })).rejects.toMatchObject({
      code: 'INPUT_TOO_LARGE',
      message: "'a.png' is over the 2500-byte limit",
    });
    expect(pulled).toBeLessThan(10);
  });
});
