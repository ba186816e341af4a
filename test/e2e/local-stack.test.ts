import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutoutApiError, CutoutClient } from '../../client/src/index.ts';
import { jobResultsSchema } from '../../core/jobs/results-schema.ts';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack, waitFinished } from '../integration/local/local-stack-harness.ts';
import { samplePng } from '../integration/worker/worker-harness.ts';

/**
 * The service end to end through the local HTTP server, as a client sees it: convert, poll
 * results, download, for inline files and for presigned uploads.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

function convert(form: FormData | string, contentType?: string): Promise<Response> {
  return fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: {
      Authorization: stack.apiKey,
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    body: form,
  });
}

async function download(
  path: string,
): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const res = await fetch(`${stack.url}${path}`, { redirect: 'manual' });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

describe('local stack end to end', () => {
  it('converts one image: convert -> results -> download', async () => {
    const png = await samplePng(80, 60);
    const form = new FormData();
    form.append('lang', 'en');
    form.append('convert_to', 'image-backgroundremover');
    form.append('files', new Blob([png], { type: 'image/png' }), 'cat photo.png');
    const res = await convert(form);
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);

    const reply = await waitFinished(stack, uuid);
    expect(Object.keys(reply)).toEqual(
      expect.arrayContaining(['files', 'failed', 'finished', 'queue_count', 'errors']),
    );
    expect(reply).toMatchObject({ finished: true, queue_count: 0, failed: [], errors: [] });
    expect(reply.files).toHaveLength(1);
    const [file] = reply.files;
    expect(file?.filename).toBe('cat photo.png');
    expect(file?.url).toBe(`/v1/files/${uuid}/cat%20photo.png`);

    const got = await download(file?.url ?? '');
    expect(got.status).toBe(200);
    expect(got.type).toBe('image/png');
    const meta = await sharp(got.bytes).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 80, height: 60, hasAlpha: true });
    // The cut-out is not the input: the dark border became transparent.
    const { data } = await sharp(got.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(data[3]).toBeLessThan(128);
  });

  it('converts a full-size photo (an output far larger than a DynamoDB item)', async () => {
    // Noise does not compress: the PNG result is megabytes, as a real photo's is.
    const png = new Uint8Array(
      await sharp(randomBytes(800 * 600 * 3), { raw: { width: 800, height: 600, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const form = new FormData();
    form.append('convert_to', 'image-backgroundremover');
    form.append('files', new Blob([png], { type: 'image/png' }), 'large.png');
    const res = await convert(form);
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    const reply = await waitFinished(stack, uuid);
    expect(reply.failed).toEqual([]);
    const got = await download(reply.files[0]?.url ?? '');
    expect(got.bytes.length).toBeGreaterThan(400 * 1024);
    expect(await sharp(got.bytes).metadata()).toMatchObject({
      width: 800,
      height: 600,
      hasAlpha: true,
    });
  });

  it('converts several files in one request (files and file[N] parts)', async () => {
    const form = new FormData();
    form.append('convert_to', 'image-backgroundremover');
    form.append('bg_type', 'color');
    form.append('bg_color_value', '#ff0000');
    form.append('files', new Blob([await samplePng(40, 30, 1)], { type: 'image/png' }), 'a.png');
    form.append('file[0]', new Blob([await samplePng(50, 30, 2)], { type: 'image/png' }), 'b.png');
    form.append('file[1]', new Blob([await samplePng(30, 60, 3)], { type: 'image/png' }), 'a.png');
    const res = await convert(form);
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    const reply = await waitFinished(stack, uuid);
    expect(reply.failed).toEqual([]);
    const names = reply.files.map((f) => f.filename).sort();
    expect(names).toEqual(['a-2.png', 'a.png', 'b.png']);
    const sizes = [];
    for (const f of reply.files) {
      const got = await download(f.url);
      const meta = await sharp(got.bytes).metadata();
      sizes.push(`${f.filename}:${meta.width}x${meta.height}`);
      // Composited over a colour: opaque.
      const stats = await sharp(got.bytes).stats();
      expect(stats.isOpaque).toBe(true);
    }
    expect(sizes.sort()).toEqual(['a-2.png:30x60', 'a.png:40x30', 'b.png:50x30']);
  });

  it('runs the presigned flow: targets, multipart POST upload to S3, upload event, job, download', async () => {
    const png = await samplePng(64, 64, 9);
    const res = await convert(
      JSON.stringify({
        convert_to: 'image-backgroundremover',
        uploads: [{ filename: 'uploaded.png', size: png.length, content_type: 'image/png' }],
      }),
      'application/json',
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      uuid: string;
      uploads: { filename: string; method: string; url: string; fields: Record<string, string> }[];
    };
    expect(body.uploads).toHaveLength(1);
    const target = body.uploads[0];
    expect(target?.method).toBe('POST');
    const before = await fetch(`${stack.url}/v1/results/`, {
      method: 'POST',
      body: new URLSearchParams({ uuid: body.uuid }),
    }).then((r) => r.json());
    expect(before.finished).toBe(false);

    const upload = new FormData();
    for (const [k, v] of Object.entries(target?.fields ?? {})) upload.append(k, v);
    // S3 wants the file as the last field.
    upload.append('file', new Blob([png], { type: 'image/png' }), 'uploaded.png');
    const put = await fetch(target?.url ?? '', { method: 'POST', body: upload });
    expect([200, 201, 204]).toContain(put.status);

    const reply = await waitFinished(stack, body.uuid);
    expect(reply.failed).toEqual([]);
    expect(reply.files.map((f) => f.filename)).toEqual(['uploaded.png']);
    const got = await download(reply.files[0]?.url ?? '');
    expect(got.status).toBe(200);
    expect(await sharp(got.bytes).metadata()).toMatchObject({
      width: 64,
      height: 64,
      hasAlpha: true,
    });
  });
});

describe('the typed client (client/) against the local stack', () => {
  const input = async (name: string, seed: number) =>
    new File([await samplePng(48, 40, seed)], name, { type: 'image/png' });

  it('sends files inline, waits and downloads the result', async () => {
    const client = new CutoutClient({ baseUrl: stack.url, apiKey: stack.apiKey });
    const accepted = await client.upload({ convert_to: 'image-backgroundremover' }, [
      await input('client inline.png', 3),
    ]);
    expect(accepted.via).toBe('inline');
    const results = await client.wait(accepted.uuid, { intervalMs: 100, timeoutMs: 60_000 });
    // The answer is the schema the API document was generated from.
    expect(jobResultsSchema.safeParse(results).error).toBeUndefined();
    expect(results).toMatchObject({ finished: true, failed: [], status: 'done' });
    const blob = await client.download(results.files[0] ?? '');
    const meta = await sharp(new Uint8Array(await blob.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 48, height: 40, hasAlpha: true });
  });

  it('sends files over the inline limit through presigned targets', async () => {
    const client = new CutoutClient({
      baseUrl: stack.url,
      apiKey: stack.apiKey,
      inlineLimitBytes: 1,
    });
    const accepted = await client.upload(
      { convert_to: 'image-backgroundremover', model: 'u2net' },
      [await input('client presigned.png', 5)],
    );
    expect(accepted.via).toBe('presigned');
    expect(accepted.uploads?.map((u) => u.method)).toEqual(['POST']);
    const results = await client.wait(accepted.uuid, { intervalMs: 100, timeoutMs: 60_000 });
    expect(results.failed).toEqual([]);
    expect(results.files.map((f) => f.filename)).toEqual(['client presigned.png']);
    const blob = await client.download(results.files[0] ?? '');
    expect((await sharp(new Uint8Array(await blob.arrayBuffer())).metadata()).width).toBe(48);
  });

  it("rejects a bad field with the API's code and the field's name", async () => {
    const client = new CutoutClient({ baseUrl: stack.url, apiKey: stack.apiKey });
    const error = await client
      .convert({ convert_to: 'image-backgroundremover', alpha_fg: 999 }, [await input('x.png', 1)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CutoutApiError);
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect((error as Error).message).toMatch(/^alpha_fg: /);
  });
});
