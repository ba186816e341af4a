import { describe, expect, it } from 'vitest';
import {
  TINY_MODEL,
  tinyModelConvolution,
  tinyModelForeground,
  tinyModelLogit,
} from '../../../../core/models/tiny-model-rule.ts';

describe('tiny model rule', () => {
  it('says foreground where red dominates', () => {
    expect(tinyModelForeground(1, 0, 0)).toBeGreaterThan(0.99);
    expect(tinyModelForeground(0, 1, 0)).toBeLessThan(0.02);
    expect(tinyModelForeground(0, 0, 1)).toBeLessThan(0.02);
    expect(tinyModelForeground(1, 1, 1)).toBe(0.5);
    expect(tinyModelLogit(0.5, 0.2, 0.4)).toBeCloseTo(8 * (0.5 - 0.3), 12);
  });

  it('has convolution weights that give the rule on ImageNet-normalised input', () => {
    const { weights, bias } = tinyModelConvolution();
    for (const [r, g, b] of [
      [0.1, 0.7, 0.3],
      [0.9, 0.2, 0.05],
      [0.5, 0.5, 0.5],
    ] as const) {
      const x = [r, g, b].map((v, c) => (v - (TINY_MODEL.mean[c] ?? 0)) / (TINY_MODEL.std[c] ?? 1));
      const logit =
        weights[0] * (x[0] ?? 0) + weights[1] * (x[1] ?? 0) + weights[2] * (x[2] ?? 0) + bias;
      expect(logit).toBeCloseTo(tinyModelLogit(r, g, b), 10);
    }
  });
});
