import { describe, expect, it } from 'vitest';
import {
  estimateForegroundMl,
  levelSizes,
  ML_DEFAULTS,
} from '../../../../core/matting/multilevel-foreground.ts';

/** Indexing that fails loudly instead of asserting non-null. */
function def<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('index out of range');
  return v;
}

describe('levelSizes', () => {
  it('ramps geometrically from 1x1 to the image size', () => {
    // L = ceil(log2 5) = 3; 5^(1/3) = 1.71, 3^(1/3) = 1.44, 5^(2/3) = 2.92, 3^(2/3) = 2.08.
    expect(levelSizes(5, 3)).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
      [5, 3],
    ]);
  });
});

describe('estimateForegroundMl', () => {
  // A red foreground over a blue background, blended by a horizontal alpha ramp: the estimate
  // must bring back the red. (Where the background changes along the edge, e.g. stripes
  // parallel to the ramp, the method itself is ambiguous: its smoothness terms are weighted by
  // alpha changes only.)
  const width = 300;
  const height = 240;
  const F = [0.85, 0.2, 0.1];
  const stripe = (_y: number) => [0.1, 0.2, 0.9];
  const alpha = new Float32Array(width * height);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const a = Math.min(1, Math.max(0, (x - 120) / 60));
      alpha[p] = a;
      const B = stripe(y);
      for (let c = 0; c < 3; c++)
        data[p * 3 + c] = Math.round(255 * (a * def(F[c]) + (1 - a) * def(B[c])));
    }
  }
  const image = { data, width, height };

  it('recovers a known foreground colour on a synthetic blend', () => {
    const fg = estimateForegroundMl(image, alpha);
    let worst = 0;
    let blendedError = 0;
    let n = 0;
    for (let p = 0; p < alpha.length; p++) {
      const a = def(alpha[p]);
      if (a < 0.3 || a >= 1) continue;
      for (let c = 0; c < 3; c++) {
        worst = Math.max(worst, Math.abs(def(fg[p * 3 + c]) / 255 - def(F[c])));
        blendedError += Math.abs(def(data[p * 3 + c]) / 255 - def(F[c]));
      }
      n++;
    }
    expect(n).toBeGreaterThan(1000);
    expect(worst).toBeLessThan(0.01);
    // The raw pixels there are far from F: the estimate is doing the work.
    expect(blendedError / (n * 3)).toBeGreaterThan(0.1);
  });

  it('gives the same colours when large levels are swept only near the transitions', () => {
    const band = estimateForegroundMl(image, alpha, { ...ML_DEFAULTS, restrictAbove: 1000 });
    const full = estimateForegroundMl(image, alpha, {
      ...ML_DEFAULTS,
      restrictAbove: Number.POSITIVE_INFINITY,
    });
    let worst = 0;
    for (let p = 0; p < alpha.length; p++) {
      if (def(alpha[p]) <= 0 || def(alpha[p]) >= 1) continue;
      for (let c = 0; c < 3; c++)
        worst = Math.max(worst, Math.abs(def(band[p * 3 + c]) - def(full[p * 3 + c])));
    }
    expect(worst).toBeLessThanOrEqual(2);
  });
});
