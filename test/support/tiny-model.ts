import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSettings } from '../../adapters/models/model-env.ts';
import { encodeTinyModel } from '../../adapters/onnx/tiny-model-writer.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder the test models are generated into (ignored by git). */
export const TEST_MODEL_DIR = join(REPO_ROOT, '.cache', 'models');

let pending: Promise<string> | undefined;

/**
 * Path of the generated tiny ONNX model (u2net signature; rule in core/models/tiny-model-rule.ts),
 * written once into `.cache/models/tiny.onnx` when missing. The manifest's `tiny` entry resolves
 * to the same bytes when CUTOUT_MODEL_DIR points at `.cache/models`.
 */
export function tinyModelPath(): Promise<string> {
  pending ??= (async () => {
    const path = join(TEST_MODEL_DIR, 'tiny.onnx');
    // Encoding is cheap; comparing guards against a file left by an older generator.
    const bytes = await encodeTinyModel();
    const existing = await readFile(path).catch(() => undefined);
    if (existing?.equals(bytes)) return path;
    await mkdir(TEST_MODEL_DIR, { recursive: true });
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
    return path;
  })();
  return pending;
}

/**
 * Model settings for tests: cache in `.cache/models`, CPU, no downloads, and the API's model ids
 * (u2net, u2netp, u2net_human_seg) served by the tiny model.
 * Pass to `createSegmenterProvider` from adapters/onnx/segmenter-provider.ts.
 */
export function tinyModelSettings(overrides: Partial<ModelSettings> = {}): ModelSettings {
  return {
    cacheDir: TEST_MODEL_DIR,
    aliases: new Map([
      ['u2net', 'tiny'],
      ['u2netp', 'tiny'],
      ['u2net_human_seg', 'tiny'],
    ]),
    providers: ['cpu'],
    intraOpThreads: 1,
    allowDownload: false,
    mirrorUrl: undefined,
    ...overrides,
  };
}
