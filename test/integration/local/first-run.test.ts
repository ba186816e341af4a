import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MODEL_DIR, tinyModelPath } from '../../support/tiny-model.ts';
import { samplePng } from '../worker/worker-harness.ts';

/**
 * `npm start` as the quick start shows it: started in its own process with no NODE_OPTIONS (as
 * from a user's shell), it prints only its own lines, and a request with the key it printed is
 * accepted while one without a valid key gets a 401 in the API's error shape, code included.
 */

let home: string;
let stack: { child: ChildProcess; url: string; key: string; output: () => string };

beforeAll(async () => {
  await tinyModelPath();
  home = await mkdtemp(join(tmpdir(), 'cutout-first-run-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CACHE_HOME: home,
    CUTOUT_MODEL_DIR: TEST_MODEL_DIR,
    CUTOUT_MODEL_ALIASES: 'u2net=tiny,u2netp=tiny,u2net_human_seg=tiny',
    CUTOUT_MODEL_DOWNLOAD: 'false',
  };
  delete env.NODE_OPTIONS;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/stack.ts', '--port', '0', '--no-video'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const end = Date.now() + 60_000;
  for (;;) {
    const url = /cutout is running on (http:\/\/localhost:\d+)/.exec(out)?.[1];
    const key = /API key\s+(\S+)/.exec(out)?.[1];
    if (url && key && out.includes('Ctrl+C stops it.')) {
      stack = { child, url, key, output: () => out };
      return;
    }
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`the stack did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  if (stack?.child.exitCode === null) {
    const exited = once(stack.child, 'exit');
    stack.child.kill('SIGINT');
    await exited;
  }
  await rm(home, { recursive: true, force: true });
});

async function convert(headers: Record<string, string>): Promise<Response> {
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  form.append('files', new Blob([await samplePng(24, 24)], { type: 'image/png' }), 'q.png');
  return fetch(`${stack.url}/v1/convert/`, { method: 'POST', headers, body: form });
}

describe('npm start, first run', () => {
  it('prints only its own lines: no warning from Node or npm', () => {
    expect(stack.output()).not.toMatch(/Warning|npm warn/i);
    // The request example it prints uses the key it printed.
    expect(stack.output()).toContain(`-H "Authorization: ${stack.key}" ${stack.url}/v1/convert/`);
  });

  it('accepts the printed key, and answers a missing or unknown key 401 with code UNAUTHORIZED', async () => {
    const accepted = await convert({ Authorization: stack.key });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ uuid: expect.any(String) });

    const refusedHeaders: Record<string, string>[] = [
      {},
      { Authorization: 'ck_not-a-real-key-0123456789' },
    ];
    for (const headers of refusedHeaders) {
      const refused = await convert(headers);
      expect(refused.status).toBe(401);
      // The streaming door (npm start's default) says which; API Gateway's 401 cannot.
      expect(await refused.json()).toEqual({
        error: expect.stringMatching(
          /^Authorization: (missing API key|unknown, revoked or expired API key)/,
        ),
        code: 'UNAUTHORIZED',
      });
    }
  });
});
