import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '../../../adapters/aws/sqs-job-queue.ts';
import { sendToTarget } from '../../../client/src/upload-targets.ts';
import { createJob } from '../../../core/jobs/create-job.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { lambdaContext } from '../../support/emulators-events.ts';

/**
 * The typed client's S3 multipart upload (each part PUT to its signed URL, the ETags posted to
 * `complete_url`) against the S3 emulator: the object lands whole and its file is queued. The
 * local stack's multipart threshold is 100 MiB, so this runs on a job made with a small one.
 */

let aws: EmulatedAws;

beforeAll(async () => {
  aws = await startEmulatedAws();
  const { handler: onUpload } = await import('../../../functions/on-upload/handler.ts');
  aws.emulators.setObjectCreatedListener((event: S3Event) =>
    onUpload(event, lambdaContext('on-upload')),
  );
});
afterAll(async () => aws?.stop());

describe('the client sending a multipart upload target', () => {
  it('PUTs every part, completes the upload and the file is queued', async () => {
    const size = 5 * 1024 * 1024 + 4096;
    const queue = new SqsJobQueue(aws.clients.sqs, {
      image: aws.emulators.resources.imageQueueUrl,
      video: aws.emulators.resources.videoQueueUrl,
    });
    const { uuid, uploads } = await createJob(
      {
        apiKeyId: 'k',
        fields: {
          convert_to: 'video-backgroundremover',
          uploads: [{ filename: 'long.mp4', size, content_type: 'video/mp4' }],
        },
        files: [],
      },
      {
        repo: aws.repo,
        inputs: aws.inputs,
        queue,
        limits: { multipartThresholdBytes: 1024 * 1024, minPartBytes: 5 * 1024 * 1024 },
      },
    );
    const target = uploads?.[0];
    expect(target?.method).toBe('multipart');
    if (target === undefined) throw new Error('no upload target');
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i += 1) data[i] = i % 251;

    await sendToTarget(target, new Blob([data], { type: 'video/mp4' }), fetch);
    await aws.emulators.uploadsSettled();

    const file = await aws.repo.getFile(uuid, '0000');
    expect(file).toMatchObject({ status: 'queued', size });
    // The parts were assembled in order: the object is the very bytes sent.
    const stored = await aws.clients.s3.send(
      new GetObjectCommand({
        Bucket: aws.emulators.resources.inputBucket,
        Key: file?.inputKey ?? '',
      }),
    );
    const bytes = await stored.Body?.transformToByteArray();
    expect(Buffer.from(bytes ?? []).equals(Buffer.from(data))).toBe(true);
  });
});
