import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/local-stack.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/** HEIC input and the mask refinement fields through the local stack's HTTP API (npm start). */

const FIXTURES = join(import.meta.dirname, '../../fixtures/images');
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({ workers: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

function convert(
  fields: Record<string, string>,
  file?: { bytes: Buffer; name: string; type: string },
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file)
    form.append('files', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey },
    body: form,
  });
}

describe('the API with HEIC and mask refinement', () => {
  it('converts a rotated HEIC, refined, into an upright PNG', { timeout: 60_000 }, async () => {
    const bytes = await readFile(join(FIXTURES, 'lemur-rotated.heic'));
    const res = await convert(
      {
        convert_to: 'image-backgroundremover',
        mask_shift: '-2',
        mask_feather: '4',
        despill: 'true',
      },
      { bytes, name: 'IMG_0001.HEIC', type: 'image/heic' },
    );
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    const reply = await waitFinished(stack, uuid, 45_000);
    expect(reply.failed).toEqual([]);
    expect(reply.files).toHaveLength(1);
    const download = await fetch(new URL(reply.files[0]?.url ?? '', stack.url));
    expect(download.status).toBe(200);
    const meta = await sharp(Buffer.from(await download.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 110, 170, 4]);
  });

  it('takes a .heif sent as application/octet-stream', { timeout: 60_000 }, async () => {
    const bytes = await readFile(join(FIXTURES, 'lemur.heic'));
    const res = await convert(
      { convert_to: 'image-backgroundremover', only_mask: 'true' },
      { bytes, name: 'photo.heif', type: 'application/octet-stream' },
    );
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    const reply = await waitFinished(stack, uuid, 45_000);
    expect(reply.failed).toEqual([]);
    const download = await fetch(new URL(reply.files[0]?.url ?? '', stack.url));
    const meta = await sharp(Buffer.from(await download.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([170, 110]);
  });

  it('refuses a bad refinement value with 400 naming the field', async () => {
    const png = await sharp({
      create: { width: 8, height: 8, channels: 3, background: '#c02020' },
    })
      .png()
      .toBuffer();
    for (const [field, value, says] of [
      ['mask_shift', '21', /mask_shift.*-20 to 20/],
      ['mask_feather', '51', /mask_feather.*0 to 50/],
      ['despill', 'perhaps', /despill.*true or false/],
    ] as const) {
      const res = await convert(
        { convert_to: 'image-backgroundremover', [field]: value },
        { bytes: png, name: 'a.png', type: 'image/png' },
      );
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(says);
    }
  });

  it('refuses the refinement fields on a video job, naming the field', async () => {
    const res = await convert(
      { convert_to: 'video-backgroundremover', mask_feather: '5' },
      { bytes: Buffer.from('not checked before the fields'), name: 'clip.mp4', type: 'video/mp4' },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/mask_feather.*images only/);
  });
});
