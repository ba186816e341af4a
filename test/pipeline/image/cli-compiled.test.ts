import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, compiledCli, currentBuild } from '../../../bin/cli-build.js';
import { runCutout } from '../../support/cli.ts';
import { readAlpha } from '../../support/image-assert.ts';
import { TEST_MODEL_DIR, tinyModelPath } from '../../support/tiny-model.ts';

// The compiled CLI (bin/cli-build.js): esbuild's bundle of local/cli.ts under .cache/cli, which
// bin/cutout.js runs instead of the sources through tsx, and rebuilds when a source changes.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
let work: string;

beforeAll(async () => {
  await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-compiled-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** Runs the compiled file itself (not bin/cutout.js), so nothing can fall back to tsx. */
function runCompiled(url: string, args: readonly string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CUTOUT_MODEL_DIR: TEST_MODEL_DIR,
    CUTOUT_MODEL_DOWNLOAD: 'false',
  };
  delete env.NODE_OPTIONS;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [fileURLToPath(url), ...args], { cwd: REPO, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the compiled cutout CLI', () => {
  let url: string;

  it('builds into .cache/cli and is current until a source changes', {
    timeout: 60_000,
  }, async () => {
    url = await buildCli();
    expect(url).toMatch(/\/\.cache\/cli\/[0-9a-z]+-[0-9a-f]{8}\/cli\.js$/);
    expect(currentBuild()).toBe(url);
    const record = JSON.parse(await readFile(join(REPO, '.cache/cli/current.json'), 'utf8'));
    const paths = record.inputs.map((input: [string, number, number]) => input[0]);
    expect(paths).toEqual(expect.arrayContaining(['local/cli.ts', 'local/commands/remove.ts']));
    expect(paths.some((path: string) => path.includes('node_modules'))).toBe(false);

    // Same content, a new time: what an edit or a checkout looks like to the stamp.
    const source = join(REPO, 'local/commands/flag-names.ts');
    const info = await stat(source);
    await utimes(source, info.atime, new Date(info.mtimeMs + 1000));
    expect(currentBuild()).toBeUndefined();
    const rebuilt = await compiledCli();
    expect(rebuilt).not.toBe(url);
    expect(currentBuild()).toBe(rebuilt);
    url = rebuilt ?? '';
  });

  it('prints help listing every subcommand', { timeout: 60_000 }, async () => {
    const result = await runCompiled(url, ['--help']);
    expect(result.code).toBe(0);
    for (const name of ['models', 'remove', 'matte', 'keys', 'video']) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    }
  });

  it('removes the background of an image with the tiny model', { timeout: 60_000 }, async () => {
    const data = new Uint8Array(64 * 48 * 3).fill(150);
    for (let y = 12; y < 36; y++) {
      for (let x = 16; x < 48; x++) data.set([220, 20, 30], (y * 64 + x) * 3);
    }
    const input = join(work, 'square.png');
    await writeFile(
      input,
      await sharp(data, { raw: { width: 64, height: 48, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const result = await runCompiled(url, ['remove', input, '-o', join(work, 'out'), '-m', 'tiny']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 of 1 done, 0 failed');
    const alpha = await readAlpha(await readFile(join(work, 'out', 'square.png')));
    expect(alpha.width).toBe(64);
    expect(alpha.data[24 * 64 + 32]).toBeGreaterThan(200); // the red square
    expect(alpha.data[2 * 64 + 2]).toBeLessThan(55); // the grey surround
  });

  it('is what bin/cutout.js runs, rebuilt there when a source changed', {
    timeout: 60_000,
  }, async () => {
    const source = join(REPO, 'local/commands/flag-names.ts');
    const info = await stat(source);
    await utimes(source, info.atime, new Date(info.mtimeMs + 1000));
    expect(currentBuild()).toBeUndefined();
    const result = await runCutout(['remove', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: cutout remove');
    const fresh = currentBuild();
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(url);
  });
});
