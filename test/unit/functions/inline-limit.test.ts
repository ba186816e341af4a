import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toProxyEvent } from '../../../adapters/http/proxy-event.ts';
import {
  DEFAULT_INLINE_LIMIT_BYTES,
  inlineBodyLimit,
  LAMBDA_REQUEST_LIMIT_BYTES,
  MAX_INLINE_BODY_BYTES,
  MAX_INLINE_LIMIT_BYTES,
} from '../../../core/config/inline-limit.ts';
import { readRequestBody } from '../../../functions/shared/request-body.ts';

/** A multipart body as the seed's clients send it: text fields, then the files. */
async function seedForm(fileSizes: readonly number[]): Promise<{ body: Buffer; type: string }> {
  const form = new FormData();
  const fields: [string, string][] = [
    ['lang', 'en'],
    ['convert_to', 'image-backgroundremover'],
    ['model', 'u2net_human_seg'],
    ['alpha_matting', 'true'],
    ['alpha_fg', '240'],
    ['alpha_bg', '10'],
    ['alpha_erode', '10'],
    ['bg_type', 'color'],
    ['bg_color_value', '#ffffff'],
  ];
  for (const [name, value] of fields) form.append(name, value);
  for (const [i, size] of fileSizes.entries()) {
    form.append(
      'files',
      new Blob([new Uint8Array(size)], { type: 'image/jpeg' }),
      `a-rather-long-photo-name-${i}.jpeg`,
    );
  }
  const request = new Request('http://x', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    type: request.headers.get('content-type') ?? '',
  };
}

describe('the inline limit fits AWS', () => {
  it('is 6,291,456 bytes of event, less 64 KiB, times 3/4, less 64 KiB of multipart', () => {
    expect(MAX_INLINE_BODY_BYTES).toBe(4_669_440);
    expect(MAX_INLINE_LIMIT_BYTES).toBe(4_603_904);
    expect(DEFAULT_INLINE_LIMIT_BYTES).toBe(MAX_INLINE_LIMIT_BYTES);
    expect(inlineBodyLimit(MAX_INLINE_LIMIT_BYTES)).toBe(MAX_INLINE_BODY_BYTES);
  });

  it('a request with the largest inline files and 10 KiB of headers is an event under 6 MB', async () => {
    const { body, type } = await seedForm([MAX_INLINE_LIMIT_BYTES - 2_000_000, 2_000_000]);
    expect(body.byteLength).toBeLessThanOrEqual(inlineBodyLimit(MAX_INLINE_LIMIT_BYTES));
    // API Gateway allows 10,240 bytes of request line and headers; fill them.
    const headers: Record<string, string> = {
      'content-type': type,
      authorization: 'ck_'.padEnd(64, 'k'),
      'user-agent': 'curl/8.5.0',
    };
    for (let i = 0; JSON.stringify(headers).length < 10_240 - 200; i++) {
      headers[`x-padding-${i}`] = 'v'.repeat(100);
    }
    const event = toProxyEvent(
      {
        method: 'POST',
        url: '/v1/convert/?lang=en',
        headers,
        body,
        sourceIp: '203.0.113.9',
      },
      { resource: '/v1/convert', pathParameters: null },
      { apiKeyId: 'key_0123456789abcdef', keyName: 'first-key', principalId: 'key_0123' },
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(
      LAMBDA_REQUEST_LIMIT_BYTES,
    );
  });

  it('takes a body at the limit and refuses one byte more, stating the limit and uploads', async () => {
    const options = {
      maxBytes: inlineBodyLimit(MAX_INLINE_LIMIT_BYTES),
      inlineLimitBytes: MAX_INLINE_LIMIT_BYTES,
      maxFiles: 10,
    };
    const { body, type } = await seedForm([MAX_INLINE_LIMIT_BYTES]);
    const event = (bytes: Buffer) =>
      ({
        headers: { 'Content-Type': type },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      }) as unknown as APIGatewayProxyEvent;
    const parsed = await readRequestBody(event(body), options);
    expect(parsed.files.map((f) => f.data.byteLength)).toEqual([MAX_INLINE_LIMIT_BYTES]);

    const over = Buffer.concat([body, Buffer.alloc(options.maxBytes - body.byteLength + 1)]);
    await expect(readRequestBody(event(over), options)).rejects.toMatchObject({
      code: 'INPUT_TOO_LARGE',
      message: expect.stringMatching(
        /^body: 4\.45 MiB \(4669441 bytes\) is over the inline limit: 4\.39 MiB \(4603904 bytes\) of files per request; send an uploads list/,
      ),
    });
  });
});
