import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack, waitFinished } from '../integration/local/local-stack-harness.ts';
import { makeClip } from '../support/video-fixtures.ts';
import { probe } from './probe-output.ts';

/** A video job through the local stack: the video queue, the worker's video processor, ffmpeg. */

let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack({ video: true });
  dir = await mkdtemp(join(tmpdir(), 'cutout-video-e2e-'));
});

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('local stack video', () => {
  it('converts a clip to a transparent MOV through the video queue', async () => {
    const clip = join(dir, 'clip.mp4');
    await makeClip(clip, { width: 64, height: 48, fps: 10, seconds: 1 });
    const form = new FormData();
    form.append('convert_to', 'video-backgroundremover');
    form.append('video_format', 'mov');
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
    const got = await fetch(`${stack.url}${reply.files[0]?.url}`);
    expect(got.status).toBe(200);
    const out = join(dir, 'clip.mov');
    await writeFile(out, new Uint8Array(await got.arrayBuffer()));
    const info = await probe(out);
    console.log(`video e2e: ${JSON.stringify(info)}`);
    expect(info).toMatchObject({ width: 64, height: 48 });
    expect(info.pixFmt).toMatch(/a/);
  });
});
