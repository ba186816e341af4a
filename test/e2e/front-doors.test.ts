import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INLINE_BODY_BYTES } from '../../core/config/inline-limit.ts';
import { openApiDocument } from '../../functions/shared/openapi-answer.ts';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack, waitFinished } from '../integration/local/local-stack-harness.ts';

/**
 * The local stack's two front doors with the same request: a photo over the inline limit (what
 * a seed client sends inline). The streaming door (`npm start`'s default) takes it; the lambda
 * door answers as API Gateway + Lambda on AWS would, 413 with the way out.
 */

let streaming: LocalStack;
let lambda: LocalStack;
let photo: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  [streaming, lambda] = await Promise.all([
    startTestStack({ workers: 1 }),
    startTestStack({ workers: 0, frontDoor: 'lambda' }),
  ]);
  // Noise does not compress: a PNG over the inline limit, as a phone photo is.
  const width = 1400;
  const height = 1200;
  photo = new Uint8Array(
    await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer(),
  );
});

afterAll(async () => {
  await Promise.all([streaming?.stop(), lambda?.stop()]);
});

function convert(stack: LocalStack): Promise<Response> {
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  form.append('files', new Blob([photo], { type: 'image/png' }), 'large photo.png');
  return fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey },
    body: form,
  });
}

describe('the local front doors', () => {
  it('say which door they are', () => {
    expect(streaming.frontDoor).toBe('streaming');
    expect(lambda.frontDoor).toBe('lambda');
  });

  it('streaming (the default) converts a photo over the inline limit', async () => {
    expect(photo.length).toBeGreaterThan(MAX_INLINE_BODY_BYTES);
    const res = await convert(streaming);
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    const reply = await waitFinished(streaming, uuid, 60_000);
    expect(reply.failed).toEqual([]);
    expect(reply.files.map((f) => f.filename)).toEqual(['large photo.png']);
    const got = await fetch(`${streaming.url}${reply.files[0]?.url}`);
    expect(got.status).toBe(200);
    const meta = await sharp(new Uint8Array(await got.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ width: 1400, height: 1200, hasAlpha: true });
  });

  it('lambda answers the same request 413, naming the limit and the uploads flow', async () => {
    const res = await convert(lambda);
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: string; code: string };
    expect(body.code).toBe('INPUT_TOO_LARGE');
    expect(body.error).toMatch(/^body: larger than .*"uploads"/);
  });

  it('both serve the API document, open to callers without a key', async () => {
    const expected = openApiDocument();
    for (const stack of [streaming, lambda]) {
      const res = await fetch(`${stack.url}/v1/openapi.json`);
      expect(res.status, stack.frontDoor).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(expected);
    }
  });
});
