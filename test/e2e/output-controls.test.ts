import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack, waitFinished } from '../integration/local/local-stack-harness.ts';
import { samplePng } from '../integration/worker/worker-harness.ts';

/**
 * The output controls through the local stack's HTTP API: crop + output_format=webp, the
 * subject's box in /v1/results, and the remove.bg-style X-* headers on /v1/files, both when the
 * files handler answers with the bytes and when the front door relays a result from S3.
 */

// Results above this come back as a redirect that the front door relays from S3.
const RESPONSE_LIMIT = 3000;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    env: { ...process.env, RESPONSE_LIMIT_BYTES: String(RESPONSE_LIMIT) },
  });
});

afterAll(async () => {
  await stack?.stop();
});

interface FileEntry {
  url: string;
  filename: string;
  width?: number;
  height?: number;
  bbox?: { x: number; y: number; width: number; height: number } | null;
}

async function convert(fields: Record<string, string>, png: Uint8Array, name: string) {
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('files', new Blob([new Uint8Array(png)], { type: 'image/png' }), name);
  return fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey },
    body: form,
  });
}

async function convertAndWait(fields: Record<string, string>, png: Uint8Array, name: string) {
  const res = await convert(fields, png, name);
  expect(res.status).toBe(200);
  const { uuid } = (await res.json()) as { uuid: string };
  const reply = await waitFinished(stack, uuid);
  expect(reply.failed).toEqual([]);
  return (reply.files as FileEntry[])[0];
}

/** A red 60x40 square (the tiny model's foreground) at (50, 30) in a 160x120 blue-grey frame. */
function redSquare(): Promise<Buffer> {
  const width = 160;
  const height = 120;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= 50 && x < 110 && y >= 30 && y < 70;
      data.set(inside ? [220, 20, 30] : [90, 110, 140], (y * width + x) * 3);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

function geometryHeaders(res: Response): Record<string, string | null> {
  const names = ['x-width', 'x-height', 'x-foreground-top', 'x-foreground-left'];
  return Object.fromEntries(
    [...names, 'x-foreground-width', 'x-foreground-height'].map((n) => [n, res.headers.get(n)]),
  );
}

describe('output controls through the local stack', () => {
  it('crops to the subject as WebP and reports the box in results and X-* headers', async () => {
    const file = await convertAndWait(
      { crop: 'true', crop_margin: '4', output_format: 'webp' },
      await redSquare(),
      'square.png',
    );
    expect(file?.filename).toBe('square.webp');
    // The 60x40 square (give or take the mask's resampling) plus 4 px a side.
    expect(Math.abs((file?.width ?? 0) - 68)).toBeLessThanOrEqual(4);
    expect(Math.abs((file?.height ?? 0) - 48)).toBeLessThanOrEqual(4);
    expect(file?.bbox).toEqual({
      x: 4,
      y: 4,
      width: (file?.width ?? 0) - 8,
      height: (file?.height ?? 0) - 8,
    });

    const res = await fetch(`${stack.url}${file?.url}`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.byteLength).toBeLessThanOrEqual(RESPONSE_LIMIT);
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual([
      'webp',
      file?.width,
      file?.height,
      true,
    ]);
    expect(geometryHeaders(res)).toEqual({
      'x-width': String(file?.width),
      'x-height': String(file?.height),
      'x-foreground-top': '4',
      'x-foreground-left': '4',
      'x-foreground-width': String(file?.bbox?.width),
      'x-foreground-height': String(file?.bbox?.height),
    });
  });

  it('keeps the X-* headers when the front door relays a large result from S3', async () => {
    const file = await convertAndWait({ size: '200' }, await samplePng(400, 300, 5), 'big.png');
    expect([file?.width, file?.height]).toEqual([200, 150]);
    const res = await fetch(`${stack.url}${file?.url}`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // Larger than the handler may answer with: these bytes came through the relay.
    expect(bytes.byteLength).toBeGreaterThan(RESPONSE_LIMIT);
    expect((await sharp(bytes).metadata()).width).toBe(200);
    const headers = geometryHeaders(res);
    expect([headers['x-width'], headers['x-height']]).toEqual(['200', '150']);
    expect(headers['x-foreground-left']).toBe(String(file?.bbox?.x));
    expect(headers['x-foreground-height']).toBe(String(file?.bbox?.height));
  });

  it('refuses bad values with a 400 naming the field', async () => {
    const png = await samplePng(40, 30);
    for (const [field, value] of [
      ['output_format', 'jpg'],
      ['crop_margin', '10em'],
      ['size', 'huge'],
      ['position', 'middle'],
      ['bg_color_value', 'notacolour'],
    ] as const) {
      const res = await convert(
        { [field]: value, ...(field === 'bg_color_value' ? { bg_type: 'color' } : {}) },
        png,
        'x.png',
      );
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error.startsWith(`${field}:`)).toBe(true);
    }
  });
});
