import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCutout } from '../../support/cli.ts';
import { tinyModelPath } from '../../support/tiny-model.ts';

/**
 * `cutout remove --image-url` and URL inputs against a real image server on loopback, which the
 * outbound guard reaches only because CUTOUT_OUTBOUND_ALLOW_CIDRS names it.
 */

let work: string;
let model: string;
let images: Server;
let base = '';

beforeAll(async () => {
  model = await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-cli-url-'));
  const png = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#c02020' } })
    .png()
    .toBuffer();
  images = createServer((req, res) => {
    if (req.url === '/shop/shoe.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else res.writeHead(404).end();
  });
  images.listen(0, '127.0.0.1');
  await once(images, 'listening');
  base = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
});
afterAll(async () => {
  images?.close();
  await rm(work, { recursive: true, force: true });
});

const LOOPBACK_ALLOWED = { CUTOUT_OUTBOUND_ALLOW_CIDRS: '127.0.0.1/32' };

describe('cutout remove with image URLs', () => {
  it('fetches --image-url and URL inputs, and reports a 404 and a refused address', async () => {
    const output = join(work, 'out');
    const result = await runCutout(
      [
        'remove',
        `${base}/missing.png`,
        '--image-url',
        `${base}/shop/shoe.png`,
        '--image-url',
        'http://10.1.2.3/private.png',
        '-o',
        output,
        '--model',
        model,
      ],
      { env: LOOPBACK_ALLOWED },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('1 of 3 done, 2 failed');
    expect(result.stderr).toContain(
      `failed: ${base}/missing.png: OUTBOUND_FAILED: answered HTTP 404`,
    );
    expect(result.stderr).toContain(
      'failed: http://10.1.2.3/private.png: OUTBOUND_REFUSED: 10.1.2.3 is a private address',
    );
    expect(await readdir(output)).toEqual(['shoe.png']);
    const meta = await sharp(join(output, 'shoe.png')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([20, 10, 4]);
  });

  it('refuses loopback when the environment does not allow it', async () => {
    const result = await runCutout(
      [
        'remove',
        '--image-url',
        `${base}/shop/shoe.png`,
        '-o',
        join(work, 'strict'),
        '--model',
        model,
      ],
      { env: { CUTOUT_OUTBOUND_ALLOW_CIDRS: undefined } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('OUTBOUND_REFUSED: 127.0.0.1 is a loopback address');
  });

  it('refuses a URL the API would refuse, naming the flag and the field', async () => {
    const result = await runCutout([
      'remove',
      '--image-url',
      'ftp://example.com/a.png',
      '-o',
      join(work, 'bad'),
      '--model',
      model,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "--image-url (image_url): 'ftp://example.com/a.png': the URL uses ftp; only https and http URLs are allowed",
    );
  });
});
