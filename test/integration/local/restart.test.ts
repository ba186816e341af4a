import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/local-stack.ts';
import { roundTrip } from '../../support/job-round-trip.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * `npm start --data-dir DIR` across restarts: a finished job's results are still served (same
 * bytes) by the next stack on the folder, and a file whose stack died mid-processing (killed,
 * no drain) is processed by the next stack: its message comes back when its visibility timeout
 * lapses, as on AWS when a worker dies.
 */

let dataDir: string;
let child: ChildProcess | undefined;
let stack: LocalStack | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cutout-restart-'));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Starts test/support/stalling-stack.ts on the folder; resolves once it serves. */
async function startStalling(): Promise<{ url: string; key: string; output: () => string }> {
  const started = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/stalling-stack.ts', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = started;
  let out = '';
  started.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  started.stderr?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const end = Date.now() + 60_000;
  for (;;) {
    const ready = /ready (\S+) (\S+)/.exec(out);
    if (ready?.[1] && ready[2]) return { url: ready[1], key: ready[2], output: () => out };
    if (started.exitCode !== null || Date.now() > end) {
      throw new Error(`the stalling stack did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('local stack restarts on its data folder', () => {
  it('serves finished jobs after a restart and resumes a file its killed stack was processing', {
    timeout: 180_000,
  }, async () => {
    const file = await samplePng(48, 32, 9);
    const first = await startTestStack({ dataDir });
    const done = await roundTrip({
      url: first.url,
      apiKey: first.apiKey,
      file,
      name: 'kept.png',
      type: 'image/png',
    });
    expect(done.files).toBe(1);
    const before = await waitFinished(first, done.uuid);
    const bytes = await download(new URL(before.files[0]?.url ?? '', first.url).href);
    await first.stop();

    // A stack that dies (SIGKILL) while its worker holds a file.
    const stalling = await startStalling();
    const form = new FormData();
    form.append('convert_to', 'image-backgroundremover');
    form.append('files', new Blob([file], { type: 'image/png' }), 'interrupted.png');
    const res = await fetch(`${stalling.url}/v1/convert/`, {
      method: 'POST',
      headers: { Authorization: stalling.key },
      body: form,
    });
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    const end = Date.now() + 30_000;
    while (!stalling.output().includes('processing interrupted.png') && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stalling.output()).toContain('processing interrupted.png');
    const exited = once(child as ChildProcess, 'exit');
    child?.kill('SIGKILL');
    await exited;

    stack = await startTestStack({ dataDir });
    expect(stack.apiKey).toBe(first.apiKey);
    const kept = await waitFinished(stack, done.uuid);
    expect(kept.files).toHaveLength(1);
    expect(await download(new URL(kept.files[0]?.url ?? '', stack.url).href)).toEqual(bytes);

    const resumed = await waitFinished(stack, uuid, 60_000);
    expect(resumed.failed).toEqual([]);
    expect(resumed.files).toHaveLength(1);
    const output = await download(new URL(resumed.files[0]?.url ?? '', stack.url).href);
    expect(output.subarray(1, 4).toString()).toBe('PNG');
  });
});
