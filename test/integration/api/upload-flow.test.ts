import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '../../../adapters/aws/sqs-job-queue.ts';
import { createApiKey } from '../../../core/jobs/api-keys.ts';
import { createJob } from '../../../core/jobs/create-job.ts';
import { getResults } from '../../../core/jobs/get-results.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../../../core/jobs/job-limits.ts';
import { parseJobMessage } from '../../../core/jobs/job-message.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { json, jsonEvent, lambdaContext } from '../../support/emulators-events.ts';
import { emfRecords, jsonLinesWrittenBy } from '../../support/stdout-lines.ts';

/**
 * Presigned uploads end to end on the emulators: targets from the convert handler, a real
 * upload to fauxqs, the upload shim's S3 event into the on-upload handler, a message on SQS.
 */

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let aws: EmulatedAws;
let convert: Handler;
let key: string;

beforeAll(async () => {
  aws = await startEmulatedAws();
  ({ handler: convert } = await import('../../../functions/convert/handler.ts'));
  const { handler: onUpload } = await import('../../../functions/on-upload/handler.ts');
  aws.emulators.setObjectCreatedListener((event: S3Event) =>
    onUpload(event, lambdaContext('on-upload')),
  );
  ({ key } = await createApiKey({ name: 'uploads' }, { keys: aws.keys }));
});
afterAll(async () => aws?.stop());

describe('presigned uploads', () => {
  it('runs the emulators on loopback only', () => {
    for (const endpoint of Object.values(aws.emulators.endpoints)) {
      expect(new URL(endpoint).hostname).toBe('127.0.0.1');
    }
    expect(new URL(aws.emulators.fauxqs.address).hostname).toBe('127.0.0.1');
    expect(URL.canParse(aws.emulators.resources.imageQueueUrl)).toBe(true);
  });

  it('POST target -> upload -> S3 event -> on-upload -> file queued and message on SQS', async () => {
    const image = new Uint8Array(2048).fill(7);
    const response = await convert(
      jsonEvent(
        '/v1/convert/',
        {
          convert_to: 'image-backgroundremover',
          uploads: [
            { filename: 'holiday photo.jpg', size: image.byteLength, content_type: 'image/jpeg' },
          ],
        },
        { headers: { Authorization: `Bearer ${key}` } },
      ),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(200);
    const { uuid, uploads } = json(response) as {
      uuid: string;
      uploads: { url: string; fields: Record<string, string> }[];
    };
    const target = uploads[0];
    if (!target) throw new Error('no upload target');
    expect(await aws.receive(aws.emulators.resources.imageQueueUrl)).toHaveLength(0);

    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append('file', new Blob([image], { type: 'image/jpeg' }), 'holiday photo.jpg');
    const upload = await fetch(target.url, { method: 'POST', body: form });
    expect(upload.status).toBe(204);
    await aws.emulators.uploadsSettled();

    const file = await aws.repo.getFile(uuid, '0000');
    expect(file).toMatchObject({
      status: 'queued',
      size: 2048,
      inputKey: `jobs/${uuid}/0000/holiday photo.jpg`,
    });
    const messages = await aws.receive(aws.emulators.resources.imageQueueUrl, { waitSeconds: 1 });
    expect(messages.map((m) => parseJobMessage(m.body))).toEqual([
      { v: 1, jobId: uuid, fileId: '0000', kind: 'image' },
    ]);
  });

  it('multipart part URLs -> parts PUT -> complete -> event -> queued', async () => {
    const size = 5 * 1024 * 1024 + 1024;
    const { repo, inputs } = aws;
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
        repo,
        inputs,
        queue,
        limits: { multipartThresholdBytes: 1024 * 1024, minPartBytes: 5 * 1024 * 1024 },
      },
    );
    const target = uploads?.[0];
    if (target?.method !== 'multipart') throw new Error('expected a multipart target');
    expect(target.parts).toHaveLength(2);
    // Each part URL signs its exact length (the emulator ignores signatures; the unit test
    // test/unit/adapters/aws/presigned-urls.test.ts checks that the signature pins it).
    for (const part of target.parts) {
      expect(new URL(part.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    }
    const data = new Uint8Array(size).fill(3);
    const etags: string[] = [];
    for (const part of target.parts) {
      const start = (part.part_number - 1) * target.part_size;
      const put = await fetch(part.url, {
        method: 'PUT',
        body: data.slice(start, start + target.part_size),
      });
      expect(put.status).toBe(200);
      etags.push(put.headers.get('etag') ?? '');
    }
    const xml = `<CompleteMultipartUpload>${etags
      .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join('')}</CompleteMultipartUpload>`;
    const complete = await fetch(target.complete_url, { method: 'POST', body: xml });
    expect(complete.status).toBe(200);
    await aws.emulators.uploadsSettled();

    expect(await aws.repo.getFile(uuid, '0000')).toMatchObject({ status: 'queued', size });
    const messages = await aws.receive(aws.emulators.resources.videoQueueUrl, { waitSeconds: 1 });
    expect(messages.map((m) => parseJobMessage(m.body).jobId)).toEqual([uuid]);
  });

  it('refuses with 413 an image upload declared over the image cap, naming the entry', async () => {
    const size = DEFAULT_MAX_IMAGE_BYTES + 1;
    const response = await convert(
      jsonEvent(
        '/v1/convert/',
        {
          convert_to: 'image-backgroundremover',
          uploads: [{ filename: 'poster.tif', size, content_type: 'image/tiff' }],
        },
        { headers: { Authorization: `Bearer ${key}` } },
      ),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(413);
    expect(json(response)).toEqual({
      code: 'INPUT_TOO_LARGE',
      error: `uploads[0].size: 'poster.tif' is ${size} bytes, over the ${DEFAULT_MAX_IMAGE_BYTES}-byte limit for images`,
    });
  });

  it('fails an upload larger than declared and counts it in FilesFailed', async () => {
    const response = await convert(
      jsonEvent(
        '/v1/convert/',
        {
          convert_to: 'image-backgroundremover',
          uploads: [{ filename: 'small.png', size: 100, content_type: 'image/png' }],
        },
        { headers: { Authorization: `Bearer ${key}` } },
      ),
      lambdaContext(),
    );
    const { uuid } = json(response) as { uuid: string };
    // The emulator does not hold a presigned POST to its signed size as S3 does: write directly.
    const lines = await jsonLinesWrittenBy(async () => {
      await aws.clients.s3.send(
        new PutObjectCommand({
          Bucket: aws.emulators.resources.inputBucket,
          Key: `jobs/${uuid}/0000/small.png`,
          Body: new Uint8Array(300),
          ContentType: 'image/png',
        }),
      );
      await aws.emulators.uploadsSettled();
    });
    expect(await aws.repo.getFile(uuid, '0000')).toMatchObject({ status: 'failed' });
    expect(emfRecords(lines)).toEqual([
      expect.objectContaining({ Kind: 'image', FilesFailed: 1, failedBy: 'upload-event' }),
    ]);
  });

  it('an object dropped under incoming/ becomes its own job with options from metadata', async () => {
    await aws.clients.s3.send(
      new PutObjectCommand({
        Bucket: aws.emulators.resources.inputBucket,
        Key: 'incoming/catalog/red shoe.png',
        Body: new Uint8Array([1, 2, 3]),
        ContentType: 'image/png',
        Metadata: { model: 'u2netp', 'only-mask': 'true' },
      }),
    );
    await aws.emulators.uploadsSettled();
    const messages = await aws.receive(aws.emulators.resources.imageQueueUrl, { waitSeconds: 1 });
    expect(messages).toHaveLength(1);
    const { jobId } = parseJobMessage(messages[0]?.body ?? '');
    const stored = await aws.repo.getJob(jobId);
    expect(stored?.job).toMatchObject({
      source: 'incoming',
      options: { model: 'u2netp', onlyMask: true },
    });
    expect(stored?.files[0]).toMatchObject({
      inputKey: 'incoming/catalog/red shoe.png',
      outputKey: 'results/catalog/red shoe.png',
      status: 'queued',
    });
    const state = await getResults(jobId, { repo: aws.repo, outputs: aws.outputs });
    expect(state).toMatchObject({ finished: false, queue_count: 1 });
  });
});
