import { createHash, createHmac } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
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

  it('signs each part URL with its exact Content-Length, so S3 refuses a part of another size', async () => {
    // Only CreateMultipartUpload goes over the wire; the part URLs are signed locally.
    const wire = { send: async () => ({ UploadId: 'upload-1' }) } as unknown as S3Client;
    const multipart = new S3ObjectStore(wire, clients.s3Presign, 'cutout-inputs');
    const mib = 1024 * 1024;
    const sizes = [5 * mib, 5 * mib, 1234];
    const out = await multipart.presignMultipart('jobs/u/0000/clip.mp4', {
      contentType: 'video/mp4',
      partSizes: sizes,
      expiresSeconds: 600,
    });
    expect(out.partUrls).toHaveLength(3);
    for (const [i, text] of out.partUrls.entries()) {
      const url = new URL(text);
      const length = sizes[i] ?? 0;
      expect(url.searchParams.get('partNumber')).toBe(String(i + 1));
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
      // What S3 recomputes from the PUT it receives: equal only for the signed length.
      const signature = url.searchParams.get('X-Amz-Signature');
      expect(sigV4PutSignature(url, length)).toBe(signature);
      expect(sigV4PutSignature(url, length + 1)).not.toBe(signature);
      expect(sigV4PutSignature(url, length - 1)).not.toBe(signature);
    }
  });
});

/** AWS's URI encoding: RFC 3986 unreserved characters stay, everything else is %XX. */
function awsEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data).digest();

/**
 * The SigV4 signature of a PUT of `contentLength` bytes to a presigned URL that signs
 * `content-length;host`, computed independently of the SDK from the credentials of the
 * environment: what S3 compares with the URL's X-Amz-Signature.
 */
function sigV4PutSignature(url: URL, contentLength: number): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const query = params
    .map(([k, v]) => [awsEncode(k), awsEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const signedHeaders = url.searchParams.get('X-Amz-SignedHeaders') ?? '';
  const headers: Record<string, string> = {
    'content-length': String(contentLength),
    host: url.host,
  };
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${headers[name] ?? ''}\n`)
    .join('');
  const canonicalRequest = [
    'PUT',
    url.pathname,
    query,
    canonicalHeaders,
    signedHeaders,
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const scope = (url.searchParams.get('X-Amz-Credential') ?? '').split('/').slice(1).join('/');
  const [day, region, service] = scope.split('/');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  let key = hmac(`AWS4${process.env.AWS_SECRET_ACCESS_KEY}`, day ?? '');
  for (const part of [region ?? '', service ?? '', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}
