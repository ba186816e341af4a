import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MODEL_DIR, tinyModelPath } from '../../support/tiny-model.ts';

/** `npm start`'s disk budget: --disk-budget over CUTOUT_DISK_BUDGET, told in the banner, checked. */

let home: string;

beforeAll(async () => {
  await tinyModelPath();
  home = await mkdtemp(join(tmpdir(), 'cutout-budget-home-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Runs `npm start` until its banner is out (then stops it) or it exits; returns its output. */
async function run(args: string[], budget?: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/stack.ts', '--port', '0', '--no-video', ...args],
    {
      env: {
        ...process.env,
        XDG_CACHE_HOME: home,
        CUTOUT_MODEL_DIR: TEST_MODEL_DIR,
        CUTOUT_MODEL_ALIASES: 'u2net=tiny,u2netp=tiny,u2net_human_seg=tiny',
        CUTOUT_MODEL_DOWNLOAD: 'false',
        CUTOUT_DISK_BUDGET: budget ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const exited = once(child, 'exit');
  const end = Date.now() + 45_000;
  while (!out.includes('Ctrl+C stops it.') && child.exitCode === null && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode === null) child.kill('SIGINT');
  const [code] = await exited;
  return { code: code as number | null, out };
}

describe('npm start --disk-budget', () => {
  it('defaults to 5 GB, takes the variable, and the flag over it', {
    timeout: 120_000,
  }, async () => {
    expect((await run([])).out).toMatch(/disk budget\s+5\.0 GB \(/);
    expect((await run([], '300MB')).out).toMatch(/disk budget\s+300\.0 MB \(/);
    expect((await run(['--disk-budget', '2GB'], '300MB')).out).toMatch(/disk budget\s+2\.0 GB \(/);
  });

  it('refuses to start on a size it cannot read, naming the variable', async () => {
    const { code, out } = await run(['--disk-budget', 'plenty']);
    expect(code).toBe(1);
    expect(out).toMatch(/cutout: CONFIGURATION: CUTOUT_DISK_BUDGET: .*expected a size/);
    expect(out).not.toContain('cutout is running');
  });
});
