import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../core/pipeline/decode-image.ts';
import { refineModelMask } from '../../../core/pipeline/refine/refine-model-mask.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import { readGray } from '../../support/image-assert.ts';
import { makeClip } from '../../support/video-fixtures.ts';
import { decodeFrames } from '../../support/video-probe.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/** The `refine` field through the local stack's HTTP API (npm start), on a real ONNX model. */

const FIXTURES = join(import.meta.dirname, '../../fixtures/images');
let stack: LocalStack;
let work: string;

beforeAll(async () => {
  // Video too (real ffmpeg): refine applies to both kinds.
  stack = await startTestStack({ workers: 1, video: true });
  work = await mkdtemp(join(tmpdir(), 'cutout-refine-api-'));
});
afterAll(async () => {
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function convert(fields: Record<string, string>, bytes?: Buffer): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (bytes)
    form.append('files', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'lemur.jpg');
  return fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey },
    body: form,
  });
}

async function maskOf(fields: Record<string, string>, bytes: Buffer) {
  const res = await convert(
    { convert_to: 'image-backgroundremover', only_mask: 'true', ...fields },
    bytes,
  );
  expect(res.status).toBe(200);
  const { uuid } = (await res.json()) as { uuid: string };
  const reply = await waitFinished(stack, uuid, 45_000);
  expect(reply.failed).toEqual([]);
  const download = await fetch(new URL(reply.files[0]?.url ?? '', stack.url));
  expect(download.status).toBe(200);
  return readGray(Buffer.from(await download.arrayBuffer()));
}

describe('the API with refine', () => {
  it('returns the model mask refined against the photo', { timeout: 90_000 }, async () => {
    const bytes = await readFile(join(FIXTURES, 'lemur.jpg'));
    const plain = await maskOf({}, bytes);
    const refined = await maskOf({ refine: 'true' }, bytes);

    // What the worker must have done: the refinement of the plain mask, guided by the photo.
    const { rgb } = await decodeImage(bytes, { maxPixels: 1e8, label: 'lemur.jpg' });
    const expected = refineModelMask(rgb, plain);
    expect([refined.width, refined.height]).toEqual([plain.width, plain.height]);
    expect(Buffer.from(refined.data).equals(Buffer.from(expected.data))).toBe(true);
    expect(Buffer.from(refined.data).equals(Buffer.from(plain.data))).toBe(false);
    // The certain regions reach the ends.
    const count = (m: { data: Uint8Array }, v: number) => m.data.filter((x) => x === v).length;
    expect(count(refined, 0) + count(refined, 255)).toBeGreaterThan(
      count(plain, 0) + count(plain, 255),
    );
  });

  it('takes refine on a video, and the worker refines its frames', {
    timeout: 120_000,
  }, async () => {
    const clip = join(work, 'clip.mp4');
    await makeClip(clip);
    const alphaOf = async (fields: Record<string, string>): Promise<Buffer> => {
      const form = new FormData();
      form.append('convert_to', 'video-backgroundremover');
      form.append('video_format', 'mov');
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('files', new Blob([await readFile(clip)], { type: 'video/mp4' }), 'clip.mp4');
      const res = await fetch(`${stack.url}/v1/convert/`, {
        method: 'POST',
        headers: { Authorization: stack.apiKey },
        body: form,
      });
      expect(res.status).toBe(200);
      const { uuid } = (await res.json()) as { uuid: string };
      const reply = await waitFinished(stack, uuid, 60_000);
      expect(reply.failed).toEqual([]);
      expect(reply.files.map((f) => f.filename)).toEqual(['clip.mov']);
      const download = await fetch(new URL(reply.files[0]?.url ?? '', stack.url));
      expect(download.status).toBe(200);
      const file = join(work, `${uuid}.mov`);
      await writeFile(file, Buffer.from(await download.arrayBuffer()));
      const rgba = await decodeFrames(file, 'rgba');
      return Buffer.from(
        Uint8Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4 + 3] as number),
      );
    };
    const plain = await alphaOf({});
    const refined = await alphaOf({ refine: 'true' });
    expect(refined.length).toBe(plain.length);
    expect(refined.equals(plain)).toBe(false);
  });

  it('refuses a refine that is not a boolean, naming the field', async () => {
    const res = await convert({ convert_to: 'image-backgroundremover', refine: 'perhaps' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/refine.*true or false/);
  });
});
