import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MODEL_DIR, tinyModelPath } from '../../support/tiny-model.ts';
import { samplePng } from '../worker/worker-harness.ts';

/**
 * `npm start` (local/stack.ts) and `cutout keys create` as a user runs them, in their own
 * processes: keys made against a running stack and against a stopped stack's --data-dir, and
 * state (the development key, jobs, keys) surviving a restart on the same --data-dir.
 */

const run = promisify(execFile);
let dataDir: string;
let home: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await tinyModelPath();
  dataDir = await mkdtemp(join(tmpdir(), 'cutout-stack-data-'));
  // The stack announces itself under the user's cache folder: keep that out of the real one.
  home = await mkdtemp(join(tmpdir(), 'cutout-stack-home-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CACHE_HOME: home,
    CUTOUT_MODEL_DIR: TEST_MODEL_DIR,
    CUTOUT_MODEL_ALIASES: 'u2net=tiny,u2netp=tiny,u2net_human_seg=tiny',
    CUTOUT_MODEL_DOWNLOAD: 'false',
  };
}

async function startStack(): Promise<{ child: ChildProcess; url: string; key: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/stack.ts', '--port', '0', '--no-video', '--data-dir', dataDir],
    { env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const end = Date.now() + 45_000;
  for (;;) {
    const url = /cutout is running on (http:\/\/localhost:\d+)/.exec(out)?.[1];
    const key = /API key\s+(\S+)/.exec(out)?.[1];
    if (url && key) return { child, url, key };
    if (child.exitCode !== null || Date.now() > end)
      throw new Error(`the stack did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const [code] = await exited;
  return code as number | null;
}

async function createKey(name: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'local/cli.ts', 'keys', 'create', '--name', name, '--data-dir', dataDir],
    { env: env() },
  );
  return stdout.trim();
}

async function convert(url: string, key: string): Promise<Response> {
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  form.append('files', new Blob([await samplePng(24, 24)], { type: 'image/png' }), 'k.png');
  return fetch(`${url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: key },
    body: form,
  });
}

describe('npm start and cutout keys', () => {
  it('makes keys for a running and a stopped stack, and keeps state across restarts', {
    timeout: 120_000,
  }, async () => {
    const first = await startStack();
    expect((await convert(first.url, 'ck_not-a-real-key-0123456789')).status).toBe(401);
    const job = await convert(first.url, first.key);
    expect(job.status).toBe(200);
    const { uuid } = (await job.json()) as { uuid: string };

    const liveKey = await createKey('ci');
    expect(liveKey).toMatch(/^ck_/);
    expect((await convert(first.url, liveKey)).status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    const offlineKey = await createKey('offline');
    expect(offlineKey).not.toBe(liveKey);

    const second = await startStack();
    try {
      console.log(
        `stack cli: restarted on ${second.url}; dev key kept: ${second.key === first.key}`,
      );
      expect(second.key).toBe(first.key);
      expect((await convert(second.url, offlineKey)).status).toBe(200);
      expect((await convert(second.url, liveKey)).status).toBe(200);
      const results = await fetch(`${second.url}/v1/results/`, {
        method: 'POST',
        body: new URLSearchParams({ uuid }),
      });
      expect(results.status).toBe(200);
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'local/cli.ts', 'keys', 'list', '--data-dir', dataDir],
        { env: env() },
      );
      expect(stdout).toMatch(/\tdevelopment\n/);
      expect(stdout).toMatch(/\tci\n/);
      expect(stdout).toMatch(/\toffline\n/);
      expect(stdout).not.toContain(liveKey);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  });
});
