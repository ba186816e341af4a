import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../../adapters/aws/clients.ts';
import { S3ObjectStore } from '../../../../adapters/aws/s3-object-store.ts';

/**
 * The emulator accepts any signature, policy or checksum, so what S3 would enforce is
 * checked here on the generated URLs and fields themselves.
 */
const clients = createAwsClients({ region: 'eu-west-1' });
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDEXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY ??= 'secret';
const store = new S3ObjectStore(clients.s3, clients.s3Presign, 'cutout-inputs');

describe('S3ObjectStore presigning', () => {
  it('puts the size range, the exact Content-Type and the key in the POST policy', async () => {
    const post = await store.presignPost('jobs/u/0000/a.png', {
      contentType: 'image/png',
      maxBytes: 1234,
      expiresSeconds: 600,
    });
    expect(post.url).toContain('cutout-inputs');
    expect(post.fields).toMatchObject({ key: 'jobs/u/0000/a.png', 'Content-Type': 'image/png' });
    const policy = JSON.parse(Buffer.from(post.fields.Policy ?? '', 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 1234],
        ['eq', '$Content-Type', 'image/png'],
        { key: 'jobs/u/0000/a.png' },
        { bucket: 'cutout-inputs' },
      ]),
    );
    const expires = Date.parse(policy.expiration) - Date.now();
    expect(expires).toBeGreaterThan(500_000);
    expect(expires).toBeLessThanOrEqual(600_000);
    expect(Object.keys(post.fields).some((k) => k.toLowerCase().includes('checksum'))).toBe(false);
  });

  it('signs GET URLs without checksum parameters, with a short expiry and a download name', async () => {
    const url = new URL(
      await store.presignGet('jobs/u/a b.png', { expiresSeconds: 300, downloadName: 'a b.png' }),
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('response-content-disposition')).toContain('filename="a b.png"');
    expect([...url.searchParams.keys()].some((k) => k.toLowerCase().includes('checksum'))).toBe(
      false,
    );
  });
});
