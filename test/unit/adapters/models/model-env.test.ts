import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelDir, modelSettingsFromEnv } from '../../../../adapters/models/model-env.ts';

describe('modelSettingsFromEnv', () => {
  it('defaults to the XDG cache, CPU, downloads on, no aliases', () => {
    const settings = modelSettingsFromEnv({ HOME: '/home/ada' });
    expect(settings).toEqual({
      cacheDir: '/home/ada/.cache/cutout/models',
      aliases: new Map(),
      providers: ['cpu'],
      intraOpThreads: undefined,
      allowDownload: true,
      mirrorUrl: undefined,
    });
    expect(defaultModelDir({ XDG_CACHE_HOME: '/var/cache', HOME: '/home/ada' })).toBe(
      join('/var/cache', 'cutout', 'models'),
    );
  });

  it('reads every variable', () => {
    const settings = modelSettingsFromEnv({
      CUTOUT_MODEL_DIR: 'rel/models',
      CUTOUT_MODEL_ALIASES: 'u2net=tiny',
      CUTOUT_ORT_PROVIDERS: 'cuda, cpu',
      CUTOUT_ORT_THREADS: '4',
      CUTOUT_MODEL_DOWNLOAD: 'false',
      CUTOUT_MODEL_MIRROR: 'https://models.example.com/cutout/',
    });
    expect(settings).toEqual({
      cacheDir: resolve('rel/models'),
      aliases: new Map([['u2net', 'tiny']]),
      providers: ['cuda', 'cpu'],
      intraOpThreads: 4,
      allowDownload: false,
      mirrorUrl: 'https://models.example.com/cutout/',
    });
  });

  it.each([
    [
      { CUTOUT_ORT_PROVIDERS: 'cpu,tpu' },
      'CUTOUT_ORT_PROVIDERS: "cpu,tpu" is not valid: unknown execution provider "tpu"',
    ],
    [
      { CUTOUT_ORT_PROVIDERS: 'web-gpu' },
      'CUTOUT_ORT_PROVIDERS: "web-gpu" is not valid: unknown execution provider "web-gpu" (cpu, cuda, webgpu)',
    ],
    [{ CUTOUT_ORT_THREADS: 'many' }, 'CUTOUT_ORT_THREADS: "many" is not valid'],
    [{ CUTOUT_ORT_THREADS: '0' }, 'CUTOUT_ORT_THREADS: "0" is not valid'],
    [{ CUTOUT_MODEL_DOWNLOAD: 'maybe' }, 'CUTOUT_MODEL_DOWNLOAD: "maybe" is not valid'],
    [{ CUTOUT_MODEL_MIRROR: 'not a url' }, 'CUTOUT_MODEL_MIRROR: "not a url" is not valid'],
    [
      { CUTOUT_MODEL_ALIASES: 'u2net' },
      'CUTOUT_MODEL_ALIASES: "u2net" is not valid: bad pair "u2net"',
    ],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => modelSettingsFromEnv({ HOME: '/h', ...env })).toThrowError(message);
  });
});
