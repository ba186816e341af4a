import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import { modelsCommand } from '../../../../local/commands/models.ts';

let dir: string;
let out: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutout-cli-models-fallback-'));
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const list = (env: Record<string, string>) =>
  modelsCommand(MODEL_MANIFEST, { CUTOUT_MODEL_DIR: dir, ...env }).parseAsync(['list'], {
    from: 'user',
  });

describe('cutout models list and the offline fallback', () => {
  it('shows the aliases remove and npm start would use: the uncached u2net family on isnet-imgly', async () => {
    await writeFile(join(dir, 'u2netp.onnx'), 'cached');
    await list({});
    const aliases = out
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('alias: '));
    expect(aliases).toEqual([
      'alias: u2net -> isnet-imgly (u2net is not cached: the offline fallback)',
      'alias: u2net_human_seg -> isnet-imgly (u2net_human_seg is not cached: the offline fallback)',
    ]);
  });

  it('shows only the chosen aliases when CUTOUT_MODEL_ALIASES is set', async () => {
    await list({ CUTOUT_MODEL_ALIASES: 'u2net=tiny' });
    expect(out.join('')).toMatch(/^alias: u2net -> tiny\n(?![\s\S]*alias:)/m);
  });
});
