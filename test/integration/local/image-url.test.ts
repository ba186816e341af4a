import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/local-stack.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * `image_url` through the local stack as `npm start` runs it: a real image server on loopback
 * (allowed by the local stack's explicit outbound settings), fetched by the real worker through
 * the outbound guard, next to URLs that 404, redirect or point at a refused address.
 */

let stack: LocalStack;
let lambdaStack: LocalStack;
let images: Server;
let base = '';
const served: string[] = [];

beforeAll(async () => {
  const png = await sharp({ create: { width: 12, height: 9, channels: 3, background: '#20c020' } })
    .png()
    .toBuffer();
  images = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url === '/photos/cat.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else if (req.url === '/moved.png') res.writeHead(302, { location: '/photos/cat.png' }).end();
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such image');
  });
  images.listen(0, '127.0.0.1');
  await once(images, 'listening');
  base = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  [stack, lambdaStack] = await Promise.all([
    startTestStack({ workers: 1 }),
    startTestStack({ workers: 1, frontDoor: 'lambda' }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.stop(), lambdaStack?.stop()]);
  images?.close();
});

async function convert(on: LocalStack, body: FormData | string) {
  const res = await fetch(`${on.url}/v1/convert/`, {
    method: 'POST',
    headers: {
      Authorization: on.apiKey,
      ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('image_url on POST /v1/convert', () => {
  it('converts the good URL and a file part, and fails the 404, the redirect and the refused address with reasons', {
    timeout: 60_000,
  }, async () => {
    const part = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('convert_to', 'image-backgroundremover');
    form.append('files', new Blob([new Uint8Array(part)], { type: 'image/png' }), 'part.png');
    form.append('image_url', `${base}/photos/cat.png`);
    form.append('image_url', `${base}/missing.png`);
    form.append('image_url[]', `${base}/moved.png`);
    form.append('image_url[]', 'http://169.254.169.254/latest/meta-data/photo.png');
    const { status, body } = await convert(stack, form);
    expect(status, JSON.stringify(body)).toBe(200);
    const reply = await waitFinished(stack, String(body.uuid), 45_000);

    expect(reply.files.map((f) => f.filename).sort()).toEqual(['cat.png', 'part.png']);
    const result = reply.files.find((f) => f.filename === 'cat.png');
    const download = await fetch(new URL(result?.url ?? '', stack.url));
    const meta = await sharp(Buffer.from(await download.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 12, 9, 4]);

    expect(reply.failed).toEqual([
      {
        filename: 'missing.png',
        error: `missing.png: image_url ${base}/missing.png: answered HTTP 404`,
      },
      {
        filename: 'moved.png',
        error: `moved.png: image_url ${base}/moved.png: ${base.slice(7)} answered 302, a redirect; redirects are not followed`,
      },
      {
        filename: 'photo.png',
        error:
          'photo.png: image_url http://169.254.169.254/latest/meta-data/photo.png: 169.254.169.254 is a cloud metadata address',
      },
    ]);
    const items = reply.items as { input: string; source_url?: string }[];
    expect(items.map((i) => [i.input, i.source_url])).toEqual([
      ['part.png', undefined],
      ['cat.png', `${base}/photos/cat.png`],
      ['missing.png', `${base}/missing.png`],
      ['moved.png', `${base}/moved.png`],
      ['photo.png', 'http://169.254.169.254/latest/meta-data/photo.png'],
    ]);
    // The redirect was answered, never followed: the image server saw no second request for it.
    expect(served.filter((u) => u === '/photos/cat.png')).toHaveLength(1);
  });

  it('takes a JSON list through the Lambda door, and refuses a bad URL with 400 naming image_url', {
    timeout: 60_000,
  }, async () => {
    const ok = await convert(
      lambdaStack,
      JSON.stringify({
        convert_to: 'image-backgroundremover',
        only_mask: true,
        image_url: [`${base}/photos/cat.png`],
      }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const reply = await waitFinished(lambdaStack, String(ok.body.uuid), 45_000);
    expect(reply.failed).toEqual([]);
    expect(reply.files.map((f) => f.filename)).toEqual(['cat.png']);

    for (const on of [stack, lambdaStack]) {
      const bad = await convert(
        on,
        JSON.stringify({
          convert_to: 'image-backgroundremover',
          image_url: 'ftp://x.example/a.png',
        }),
      );
      expect(bad).toEqual({
        status: 400,
        body: {
          error:
            "image_url: 'ftp://x.example/a.png': the URL uses ftp; only https and http URLs are allowed",
          code: 'INVALID_REQUEST',
        },
      });
    }
  });
});
