import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MODEL_DIR, tinyModelPath } from '../../support/tiny-model.ts';

/** `npm start`'s choice of front door: CUTOUT_FRONT_DOOR or --front-door, told in the banner. */

let home: string;

beforeAll(async () => {
  await tinyModelPath();
  home = await mkdtemp(join(tmpdir(), 'cutout-door-home-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function start(args: string[], extra: Record<string, string> = {}) {
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
        CUTOUT_FRONT_DOOR: '',
        ...extra,
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
  return { child, output: () => out };
}

async function banner(args: string[], extra: Record<string, string> = {}): Promise<string> {
  const { child, output } = start(args, extra);
  try {
    const end = Date.now() + 45_000;
    while (!output().includes('Ctrl+C stops it.')) {
      if (child.exitCode !== null || Date.now() > end) {
        throw new Error(`the stack did not start:\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return output();
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
  }
}

describe('npm start --front-door', () => {
  it('serves the streaming door by default and says so', async () => {
    expect(await banner([])).toMatch(/front door\s+streaming \(/);
  });

  it('serves the lambda door from the flag or the variable', async () => {
    expect(await banner(['--front-door', 'lambda'])).toMatch(/front door\s+lambda \(/);
    expect(await banner([], { CUTOUT_FRONT_DOOR: 'lambda' })).toMatch(/front door\s+lambda \(/);
  });

  it('refuses an unknown door with a CONFIGURATION error naming the variable', async () => {
    for (const [args, extra] of [
      [['--front-door', 'sideways'], {}],
      [[], { CUTOUT_FRONT_DOOR: 'apigw' }],
    ] as const) {
      const { child, output } = start([...args], extra);
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      expect(output()).toMatch(
        /cutout: CONFIGURATION: CUTOUT_FRONT_DOOR: "(sideways|apigw)" is not valid/,
      );
    }
  });
});
