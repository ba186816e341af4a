import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CreateMultipartUploadCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../adapters/aws/s3-object-store.ts';
import {
  type StreamConvertDeps,
  streamConvert,
} from '../../../containers/ingest/stream-convert.ts';
import { CutoutError } from '../../../core/errors.ts';
import { parseJobMessage } from '../../../core/jobs/job-message.ts';
import { markUploaded } from '../../../core/jobs/mark-uploaded.ts';
import { convertJobDeps } from '../../../functions/convert/convert-deps.ts';
import { parseConvertEnv } from '../../../functions/convert/env.ts';
import { createdObjects } from '../../../functions/shared/s3-event.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { requestLeftovers, scratchBucket } from '../../support/request-leftovers.ts';
import {
  type FormPart,
  patternByte,
  streamedBody,
  streamedForm,
} from '../../support/streamed-form.ts';

/**
 * streamConvert against the emulators with the real SDK and lib-storage: large parts stream
 * into S3 in multipart uploads, and every refused, malformed or cut request leaves no object,
 * no open upload, no item and no message.
 */

let aws: EmulatedAws;
const MIB = 1024 * 1024;

beforeAll(async () => {
  aws = await startEmulatedAws({ uploadEventDelayMs: 0 });
});
afterAll(async () => aws?.stop());

/** The convert Lambda's dependencies (the same builder), uploading into `bucket` if given. */
function deps(options: { bucket?: string; jobId?: string; maxUploadBytes?: number } = {}) {
  const base = convertJobDeps(parseConvertEnv(process.env), aws.clients);
  const jobId = options.jobId ?? randomUUID();
  const built: StreamConvertDeps = {
    ...base,
    ...(options.bucket
      ? { inputs: new S3ObjectStore(aws.clients.s3, aws.clients.s3Presign, options.bucket) }
      : {}),
    newId: () => jobId,
    maxUploadBytes: options.maxUploadBytes ?? 1024 * MIB,
  };
  return { deps: built, jobId };
}

function patternHash(size: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (let offset = 0; offset < size; offset += chunk.length) {
    const length = Math.min(chunk.length, size - offset);
    for (let i = 0; i < length; i++) chunk[i] = patternByte(offset + i);
    hash.update(chunk.subarray(0, length));
  }
  return hash.digest('hex');
}

async function objectHash(key: string): Promise<string> {
  const out = await aws.clients.s3.send(
    new GetObjectCommand({ Bucket: aws.emulators.resources.inputBucket, Key: key }),
  );
  const hash = createHash('sha256');
  for await (const chunk of out.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs a request that must fail; returns its error and whatever it left behind. */
async function refused(
  parts: readonly FormPart[] | { body: Readable; headers: Record<string, string> },
  options: { maxUploadBytes?: number; cutAfterBytes?: number; signal?: AbortSignal } = {},
) {
  const bucket = scratchBucket(aws);
  const { deps: built, jobId } = deps({
    bucket,
    ...(options.maxUploadBytes ? { maxUploadBytes: options.maxUploadBytes } : {}),
  });
  const request = Array.isArray(parts)
    ? streamedForm(parts, options.cutAfterBytes ? { cutAfterBytes: options.cutAfterBytes } : {})
    : (parts as { body: Readable; headers: Record<string, string> });
  const error = await streamConvert(
    {
      headers: request.headers,
      body: request.body,
      signal: options.signal ?? new AbortController().signal,
    },
    'key_1',
    built,
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, left: await requestLeftovers(aws, { bucket, jobId }) };
}

describe('streamConvert against the emulators', () => {
  it('streams a 30 MB video part into S3 and queues its job once, upload events and all', async () => {
    const size = 30 * 1000 * 1000;
    const { deps: built, jobId } = deps();
    const events: string[] = [];
    aws.emulators.setObjectCreatedListener(async (event) => {
      for (const object of createdObjects(event)) {
        events.push(`${object.key}: ${(await markUploaded(object, built)).outcome}`);
      }
    });
    try {
      const form = streamedForm([
        { field: 'files', filename: 'clip.mp4', contentType: 'video/mp4', data: size },
        // The options after the file, as the seed's clients may send them.
        { field: 'convert_to', value: 'video-backgroundremover' },
        { field: 'video_format', value: 'webm' },
      ]);
      const result = await streamConvert(
        { headers: form.headers, body: form.body, signal: new AbortController().signal },
        'key_1',
        built,
      );
      expect(result).toEqual({ uuid: jobId });
      await aws.emulators.uploadsSettled();
    } finally {
      aws.emulators.setObjectCreatedListener(undefined);
    }
    const stored = await aws.repo.getJob(jobId);
    const file = stored?.files[0];
    expect(stored?.job).toMatchObject({ kind: 'video', apiKeyId: 'key_1', fileCount: 1 });
    expect(file).toMatchObject({
      status: 'queued',
      size,
      inputKey: `jobs/${jobId}/0000/clip.mp4`,
      outputName: 'clip.webm',
    });
    expect((await aws.inputs.head(`jobs/${jobId}/0000/clip.mp4`))?.size).toBe(size);
    expect(await objectHash(`jobs/${jobId}/0000/clip.mp4`)).toBe(patternHash(size));
    // The object's upload event ran too, and queued nothing more.
    expect(events).toEqual([`jobs/${jobId}/0000/clip.mp4: ignored`]);
    const messages = await aws.receive(aws.emulators.resources.videoQueueUrl);
    expect(messages.map((m) => parseJobMessage(m.body))).toEqual([
      { v: 1, jobId, fileId: '0000', kind: 'video' },
    ]);
  });

  it('keeps the Lambda order of file[N] parts and their arrival keys', async () => {
    const { deps: built, jobId } = deps();
    const form = streamedForm([
      { field: 'convert_to', value: 'image-backgroundremover' },
      { field: 'file[1]', filename: 'b.png', contentType: 'image/png', data: 7 },
      { field: 'file[0]', filename: 'a.png', contentType: 'image/png', data: 9 },
      // Not needed by these options: streamed before that was known, then removed.
      { field: 'bg_image', filename: 'sky.png', contentType: 'image/png', data: 5 },
    ]);
    await streamConvert(
      { headers: form.headers, body: form.body, signal: new AbortController().signal },
      'key_1',
      built,
    );
    const stored = await aws.repo.getJob(jobId);
    expect(stored?.files.map((f) => [f.fileId, f.inputName, f.inputKey, f.size])).toEqual([
      ['0000', 'a.png', `jobs/${jobId}/0001/a.png`, 9],
      ['0001', 'b.png', `jobs/${jobId}/0000/b.png`, 7],
    ]);
    expect(stored?.job.backgroundKey).toBeUndefined();
    expect(await aws.inputs.head(`jobs/${jobId}/background/sky.png`)).toBeUndefined();
    await aws.receive(aws.emulators.resources.imageQueueUrl);
  });

  it('creates an uploads-list job from a JSON body, as the Lambda does', async () => {
    const { deps: built, jobId } = deps();
    const body = streamedBody(
      JSON.stringify({
        convert_to: 'video-backgroundremover',
        uploads: [{ filename: 'clip.mp4', size: 1000, content_type: 'video/mp4' }],
      }),
      'application/json',
    );
    const result = await streamConvert(
      { ...body, signal: new AbortController().signal },
      'key_1',
      built,
    );
    expect(result.uuid).toBe(jobId);
    expect(result.uploads).toHaveLength(1);
    expect((await aws.repo.getJob(jobId))?.files[0]?.status).toBe('waiting_upload');
  });

  it('the leftover check finds an open multipart upload', async () => {
    // The check itself must be able to fail: an upload left open in an otherwise empty bucket.
    const bucket = scratchBucket(aws);
    await aws.clients.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'x' }));
    const left = await requestLeftovers(aws, { bucket, jobId: randomUUID() });
    expect(left).toEqual([`in-progress multipart upload in ${bucket} (BucketNotEmpty)`]);
  });

  describe('bad input leaves no object, open upload, item or message', () => {
    it('a body that is not multipart (415), and a fields body over its cap (413)', async () => {
      const video = await refused(streamedBody(Buffer.alloc(2 * MIB), 'video/mp4'));
      expect(video.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA' });
      expect(video.left).toEqual([]);
      const json = await refused(streamedBody(Buffer.alloc(2 * MIB, 32), 'application/json'));
      expect(json.error).toMatchObject({
        code: 'INPUT_TOO_LARGE',
        message:
          'body: over the 1.00 MiB (1048576 bytes) limit of a body without files; send files as multipart/form-data',
      });
      expect(json.left).toEqual([]);
    });

    it('a part with no file name, after a file already streamed', async () => {
      const { error, left } = await refused([
        { field: 'convert_to', value: 'image-backgroundremover' },
        { field: 'files', filename: 'a.png', contentType: 'image/png', data: 6 * MIB },
        { field: 'files', contentType: 'image/png', data: 100 },
      ]);
      expect(error).toMatchObject({ code: 'INVALID_REQUEST' });
      expect((error as CutoutError).message).toMatch(/^files: this part has no file name/);
      expect(left).toEqual([]);
    });

    it('a file over the cap: cut while streaming, its multipart upload aborted, 413 naming the limit', async () => {
      const { error, left } = await refused(
        [
          { field: 'convert_to', value: 'video-backgroundremover' },
          { field: 'files', filename: 'long.mp4', contentType: 'video/mp4', data: 40 * MIB },
        ],
        { maxUploadBytes: 20 * MIB },
      );
      expect(error).toBeInstanceOf(CutoutError);
      expect(error).toMatchObject({
        code: 'INPUT_TOO_LARGE',
        field: 'files',
        message: "files: 'long.mp4' is over the 20.00 MiB (20971520 bytes) limit for videos",
      });
      expect(left).toEqual([]);
    });

    it('a client that disconnects mid-part', async () => {
      const { error, left } = await refused(
        [
          { field: 'convert_to', value: 'video-backgroundremover' },
          { field: 'files', filename: 'a.mp4', contentType: 'video/mp4', data: 12 * MIB },
          { field: 'files', filename: 'b.mp4', contentType: 'video/mp4', data: 30 * MIB },
        ],
        { cutAfterBytes: 30 * MIB },
      );
      expect(error).toMatchObject({
        code: 'INVALID_REQUEST',
        message: 'body: the request was cut off',
      });
      expect(left).toEqual([]);
    });

    it('a request the server aborts mid-part (idle timeout, disconnect)', async () => {
      const controller = new AbortController();
      const reason = new CutoutError('DEADLINE_EXCEEDED', 'body: nothing received for 60 s');
      const form = streamedForm([
        { field: 'convert_to', value: 'video-backgroundremover' },
        { field: 'files', filename: 'a.mp4', contentType: 'video/mp4', data: 40 * MIB },
      ]);
      let seen = 0;
      form.body.on('data', (chunk: Buffer) => {
        seen += chunk.byteLength;
        if (seen > 20 * MIB) controller.abort(reason);
      });
      const { error, left } = await refused(form, { signal: controller.signal });
      expect(error).toBe(reason);
      expect(left).toEqual([]);
    });

    it('a bad option sent after the file', async () => {
      const { error, left } = await refused([
        { field: 'files', filename: 'a.mp4', contentType: 'video/mp4', data: 10 * MIB },
        { field: 'convert_to', value: 'nope' },
      ]);
      expect(error).toMatchObject({ code: 'INVALID_REQUEST' });
      expect((error as CutoutError).message).toMatch(/^convert_to:/);
      expect(left).toEqual([]);
    });

    it('a malformed body (the form never ends)', async () => {
      const form = streamedForm([
        { field: 'files', filename: 'a.png', contentType: 'image/png', data: 7 * MIB },
      ]);
      const truncated = { headers: form.headers, body: form.body };
      // Stops at the end of the file's bytes, before the closing boundary: a clean end of body.
      const { Readable: NodeReadable } = await import('node:stream');
      const cut = NodeReadable.from(
        (async function* () {
          let sent = 0;
          for await (const chunk of truncated.body as AsyncIterable<Buffer>) {
            if (sent + chunk.byteLength > 7 * MIB) {
              yield chunk.subarray(0, 7 * MIB - sent);
              return;
            }
            sent += chunk.byteLength;
            yield chunk;
          }
        })(),
      );
      const { error, left } = await refused({ headers: form.headers, body: cut });
      expect(error).toMatchObject({ code: 'INVALID_REQUEST' });
      expect((error as CutoutError).message).toMatch(/^body: malformed multipart\/form-data/);
      expect(left).toEqual([]);
    });
  });
});
