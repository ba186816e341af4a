import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findOptimizedModel,
  optimizedModelKey,
  optimizedModelPath,
} from '../../../adapters/onnx/optimized-model.ts';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { TINY_MODEL } from '../../../core/models/tiny-model-rule.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';

// The CPU provider saves the optimised graph of a manifest model on its first load and later
// loads start from it. Real ONNX Runtime, the generated tiny model, a cache folder of its own.
const S = TINY_MODEL.inputSize;
let cacheDir: string;
let tinyBytes: Buffer;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'cutout-optimized-'));
  tinyBytes = await readFile(await tinyModelPath());
  await writeFile(join(cacheDir, 'tiny.onnx'), tinyBytes);
});
afterAll(() => rm(cacheDir, { recursive: true, force: true }));

/** Red left half, blue right half: the tiny model's foreground is where red dominates. */
function input(): Float32Array {
  const data = new Float32Array(3 * S * S);
  for (let y = 0; y < S; y += 1) {
    for (let x = 0; x < S; x += 1) {
      const red = x < S / 2;
      data[y * S + x] = red ? 2 : -1;
      data[S * S + y * S + x] = -1;
      data[2 * S * S + y * S + x] = red ? -1 : 2;
    }
  }
  return data;
}

async function loadOnce(): Promise<{ logs: string[]; mask: Float32Array }> {
  const logs: string[] = [];
  const provider = createSegmenterProvider(tinyModelSettings({ cacheDir, aliases: new Map() }), {
    log: (line) => logs.push(line),
  });
  try {
    const segmenter = await provider.get('tiny');
    return { logs, mask: Float32Array.from(await segmenter.infer(input(), 1)) };
  } finally {
    await provider.close();
  }
}

const savedFiles = async () =>
  (await readdir(cacheDir)).filter((name) => /^tiny\.cpu-[0-9a-f]{12}\.onnx(\.json)?$/.test(name));

describe('the saved optimised graph', () => {
  let first: Float32Array;

  it('is written on the first CPU load, with a sidecar naming runtime and machine', async () => {
    const { logs, mask } = await loadOnce();
    first = mask;
    expect(logs.at(-1)).toBe(
      `model tiny loaded from ${join(cacheDir, 'tiny.onnx')} on cpu, batch <= 8`,
    );
    expect((await savedFiles()).sort()).toHaveLength(2);
    const key = optimizedModelKey(
      'eebc13f9999d8afdb8cab4d6396ba5fada2c88ecc0a657da77ed1dc7f7c0afec',
    );
    const path = optimizedModelPath(cacheDir, 'tiny', key);
    const sidecar = JSON.parse(await readFile(`${path}.json`, 'utf8'));
    expect(sidecar).toMatchObject({ ...key, bytes: (await stat(path)).size });
    expect(sidecar.runtime).toMatch(/^onnxruntime-node \d+\.\d+/);
    // Not a degenerate mask: the red half is foreground, the blue half background.
    expect(first[(S / 2) * S + 10]).toBeGreaterThan(0.5);
    expect(first[(S / 2) * S + S - 10]).toBeLessThan(0.5);
  });

  it('serves later loads without the weights file and gives the same mask', async () => {
    await rm(join(cacheDir, 'tiny.onnx'));
    try {
      const { logs, mask } = await loadOnce();
      expect(logs.at(-1)).toMatch(
        /^model tiny loaded from .*tiny\.onnx \(optimised graph saved in .*tiny\.cpu-[0-9a-f]{12}\.onnx\) on cpu, batch <= 8$/,
      );
      expect(mask).toEqual(first);
    } finally {
      await writeFile(join(cacheDir, 'tiny.onnx'), tinyBytes);
    }
  });

  it('is derived again when the saved file is damaged in place', async () => {
    const key = optimizedModelKey(
      'eebc13f9999d8afdb8cab4d6396ba5fada2c88ecc0a657da77ed1dc7f7c0afec',
    );
    const path = optimizedModelPath(cacheDir, 'tiny', key);
    const before = await stat(path);
    // Same size, and the sidecar rewritten to the new time: a damage the cheap check cannot
    // see, so only loading it can tell.
    await writeFile(path, Buffer.alloc(before.size, 0x5a));
    const sidecar = JSON.parse(await readFile(`${path}.json`, 'utf8'));
    const after = await stat(path);
    await writeFile(`${path}.json`, JSON.stringify({ ...sidecar, mtimeMs: after.mtimeMs }));
    expect(await findOptimizedModel(path, key)).toBe(path);

    const { logs, mask } = await loadOnce();
    expect(logs[0]).toMatch(
      /^model tiny: the saved graph .* failed to load \(.*\); deriving it again$/,
    );
    expect(logs.at(-1)).toBe(
      `model tiny loaded from ${join(cacheDir, 'tiny.onnx')} on cpu, batch <= 8`,
    );
    expect(mask).toEqual(first);
    expect(await findOptimizedModel(path, key)).toBe(path);
    expect((await readFile(path)).equals(Buffer.alloc(before.size, 0x5a))).toBe(false);
  });

  it('is looked up under another name for another runtime or CPU, and a stale sidecar misses', async () => {
    const key = optimizedModelKey('abc');
    const other = { ...key, machine: 'riscv64 Some Other CPU' };
    expect(optimizedModelPath(cacheDir, 'tiny', other)).not.toBe(
      optimizedModelPath(cacheDir, 'tiny', key),
    );
    const path = optimizedModelPath(cacheDir, 'tiny', key);
    await writeFile(path, 'graph');
    const info = await stat(path);
    const sidecar = { ...key, bytes: info.size, mtimeMs: info.mtimeMs };
    await writeFile(`${path}.json`, JSON.stringify(sidecar));
    expect(await findOptimizedModel(path, key)).toBe(path);
    expect(await findOptimizedModel(path, other)).toBeUndefined();
    await writeFile(`${path}.json`, JSON.stringify({ ...sidecar, bytes: info.size + 1 }));
    expect(await findOptimizedModel(path, key)).toBeUndefined();
  });
});
