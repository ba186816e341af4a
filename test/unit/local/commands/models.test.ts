import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import { modelsCommand } from '../../../../local/commands/models.ts';

let dir: string;
let out: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutout-cli-models-'));
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  process.exitCode = undefined;
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  modelsCommand(MODEL_MANIFEST, {
    CUTOUT_MODEL_DIR: dir,
    CUTOUT_MODEL_DOWNLOAD: 'false',
  }).parseAsync(args, {
    from: 'user',
  });

describe('cutout models', () => {
  it('lists every model with input size, licence and cache state', async () => {
    await run('pull', 'tiny');
    out = [];
    await run('list');
    const text = out.join('');
    expect(text).toMatch(/^id\s+input\s+licence\s+cached\s+path$/m);
    expect(text).toMatch(
      new RegExp(
        `^u2net \\(default\\)\\s+320x320\\s+Apache-2.0\\s+no\\s+${join(dir, 'u2net.onnx')}$`,
        'm',
      ),
    );
    expect(text).toMatch(/^isnet-imgly\s+1024x1024\s+AGPL-3.0 \(not permissive\)\s+no/m);
    expect(text).toMatch(
      new RegExp(`^tiny\\s+320x320\\s+Apache-2.0\\s+yes\\s+${join(dir, 'tiny.onnx')}$`, 'm'),
    );
    expect(text).toContain(`cache: ${dir}`);
  });

  it('verifies cached files and exits non-zero on a mismatch', async () => {
    await run('pull', 'tiny');
    await run('verify');
    expect(out.join('')).toMatch(/^tiny: ok \(sha256 eebc13f9/m);
    expect(process.exitCode).toBeUndefined();

    await writeFile(join(dir, 'tiny.onnx'), 'tampered');
    out = [];
    await run('verify', 'tiny');
    expect(out.join('')).toMatch(/^tiny: MISMATCH/m);
    expect(process.exitCode).toBe(1);
  });

  it('reports a named model that is not cached as a failure', async () => {
    await run('verify', 'u2netp');
    expect(out.join('')).toContain(`u2netp: not cached (${join(dir, 'u2netp.onnx')})`);
    expect(process.exitCode).toBe(1);
  });

  it('fails a pull it cannot satisfy with the loader error', async () => {
    await expect(run('pull', 'u2net')).rejects.toThrowError(
      /downloads are off .*cutout models pull u2net/,
    );
    await expect(run('pull', 'nope')).rejects.toThrowError(/model "nope" is not in the manifest/);
  });
});
