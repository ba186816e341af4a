import { type S3Client, S3Client as SdkS3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../../adapters/aws/s3-object-store.ts';
import { createJob } from '../../../../core/jobs/create-job.ts';
import {
  DEFAULT_JOB_LIMITS,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  MAX_PART_BYTES,
  responseBytes,
} from '../../../../core/jobs/job-limits.ts';
import { FakeClock, MemoryJobQueue, MemoryJobRepository } from './memory-ports.ts';

/**
 * The largest convert answer the default limits allow, signed for real with worst-case inputs:
 * a 63-character bucket, 200-character names that percent-encode to 9 bytes a character, a
 * 2,048-character session token (Lambda's run about 1,100) and a 256-character upload id. It
 * must fit Lambda's 6 MB response with room to spare, below the answer cap that refuses larger
 * answers at run time.
 */

const BUCKET = `cutout-prod-storage-inputsbucket-${'x'.repeat(30)}`;
const TOKEN = Buffer.from(Array.from({ length: 1536 }, (_, i) => (i * 37 + 11) & 255)).toString(
  'base64',
);
const presign = new SdkS3Client({
  region: 'ap-southeast-2',
  credentials: {
    accessKeyId: 'ASIAXXXXXXXXXXXXXXXX',
    secretAccessKey: 'x'.repeat(40),
    sessionToken: TOKEN,
  },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
const wire = { send: async () => ({ UploadId: 'u'.repeat(256) }) } as unknown as S3Client;
const inputs = new S3ObjectStore(wire, presign, BUCKET);

/** 200 characters (the longest name kept), each three UTF-8 bytes. */
const longName = (i: number, ext: string) =>
  `${String(i).padStart(3, '0')}${'写'.repeat(196 - ext.length)}.${ext}`;

async function answerFor(convert_to: string, uploads: object[]) {
  return createJob(
    { apiKeyId: 'k', fields: { convert_to, uploads }, files: [] },
    {
      repo: new MemoryJobRepository(),
      inputs,
      queue: new MemoryJobQueue(),
      clock: new FakeClock(),
      newId: () => '11111111-2222-4333-8444-555555555555',
    },
  );
}

describe('the largest convert answer', () => {
  const limits = DEFAULT_JOB_LIMITS;
  const perFile = Math.floor(limits.maxPartUrls / limits.maxFiles);

  it.each([
    {
      shape: `${limits.maxFiles} videos, each as large as ${perFile} parts allow`,
      convert_to: 'video-backgroundremover',
      uploads: Array.from({ length: limits.maxFiles }, (_, i) => ({
        filename: longName(i, 'mp4'),
        size: perFile * MAX_PART_BYTES,
        content_type: 'video/mp4',
      })),
    },
    {
      shape: 'one video at the upload cap and the rest just under the multipart threshold',
      convert_to: 'video-backgroundremover',
      uploads: Array.from({ length: limits.maxFiles }, (_, i) => ({
        filename: longName(i, 'mp4'),
        size: i === 0 ? limits.maxUploadBytes : limits.multipartThresholdBytes,
        content_type: 'video/mp4',
      })),
    },
    {
      shape: `${limits.maxFiles} images at the image cap`,
      convert_to: 'image-backgroundremover',
      uploads: Array.from({ length: limits.maxFiles }, (_, i) => ({
        filename: longName(i, 'png'),
        size: limits.maxImageBytes,
        content_type: 'image/png',
      })),
    },
  ])('fits Lambda’s response limit with margin: $shape', async ({ convert_to, uploads }) => {
    const answer = await answerFor(convert_to, uploads);
    const targets = answer.uploads ?? [];
    expect(targets).toHaveLength(limits.maxFiles);
    const partUrls = targets.reduce(
      (n, t) => n + (t.method === 'multipart' ? t.parts.length : 0),
      0,
    );
    expect(partUrls).toBeLessThanOrEqual(limits.maxPartUrls);
    // The session token rides in every URL and POST form: the largest part of each target.
    for (const target of targets) expect(JSON.stringify(target)).toContain('X-Amz-Security-Token');
    const bytes = responseBytes(answer);
    expect(bytes).toBeLessThanOrEqual(limits.maxResponseBytes);
    expect(limits.maxResponseBytes).toBeLessThan(0.85 * LAMBDA_RESPONSE_LIMIT_BYTES);
  });

  it('measures the answer as Lambda sends it: the JSON escaped again inside the proxy body', () => {
    const answer = { uuid: 'u', uploads: [{ filename: 'a"b', url: 'https://x/?a=1' }] };
    const body = JSON.stringify(answer);
    const proxied = JSON.stringify({ statusCode: 200, headers: {}, body });
    expect(responseBytes(answer)).toBeGreaterThan(Buffer.byteLength(proxied));
    // UTF-8 bytes, not characters: one three-byte character weighs as much as three ASCII ones.
    expect(responseBytes({ uuid: '写' })).toBe(responseBytes({ uuid: 'abc' }));
  });
});
