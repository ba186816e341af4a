import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../../core/image/raster.ts';
import { estimateAlphaCf, fullAlpha } from '../../../../core/matting/closed-form-alpha.ts';

/** Indexing that fails loudly instead of asserting non-null. */
function def<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('index out of range');
  return v;
}

/**
 * I = a F + (1 - a) B with constant F and B satisfies the colour-line model exactly, so the
 * closed-form solution is the true alpha (up to epsilon) whatever the trimap leaves unknown.
 */
function blend(width: number, height: number, alphaAt: (x: number, y: number) => number) {
  const F = [230, 40, 60];
  const B = [20, 90, 200];
  const data = new Uint8Array(width * height * 3);
  const truth = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = alphaAt(x, y);
      const p = y * width + x;
      for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round(a * def(F[c]) + (1 - a) * def(B[c]));
      // The 8-bit image carries the alpha it was rounded to; recover that one.
      truth[p] = ((data[p * 3] as number) - def(B[0])) / (def(F[0]) - def(B[0]));
    }
  }
  const image: RgbImage = { data, width, height };
  return { image, truth };
}

describe('estimateAlphaCf', () => {
  const width = 40;
  const height = 12;
  const ramp = (x: number) => Math.min(1, Math.max(0, (x - 12) / 16));
  const { image, truth } = blend(width, height, ramp);
  const trimap = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) trimap[y * width + x] = x < 8 ? 0 : x >= 32 ? 255 : 128;
  }

  for (const preconditioner of ['ichol', 'jacobi'] as const) {
    it(`recovers the alpha of an exact two-colour blend (${preconditioner})`, () => {
      const result = estimateAlphaCf(image, trimap, {
        preconditioner,
        rtol: 1e-10,
        coarseAbove: 0,
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.unknown.count).toBe(24 * height);
      const alpha = fullAlpha(trimap, result);
      for (let p = 0; p < alpha.length; p++) expect(def(alpha[p])).toBeCloseTo(def(truth[p]), 2);
    });
  }

  it('gets the same answer starting from a coarse solve', () => {
    const direct = estimateAlphaCf(image, trimap, { rtol: 1e-10, coarseAbove: 0 });
    const coarse = estimateAlphaCf(image, trimap, { rtol: 1e-10, coarseAbove: 10 });
    expect(direct.ok && coarse.ok).toBe(true);
    if (!direct.ok || !coarse.ok) return;
    coarse.values.forEach((v, i) => {
      expect(v).toBeCloseTo(def(direct.values[i]), 4);
    });
  });

  it('keeps known pixels exactly and clips to [0, 1]', () => {
    const result = estimateAlphaCf(image, trimap);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const alpha = fullAlpha(trimap, result);
    for (let p = 0; p < alpha.length; p++) {
      if (trimap[p] === 0) expect(alpha[p]).toBe(0);
      if (trimap[p] === 255) expect(alpha[p]).toBe(1);
      expect(def(alpha[p])).toBeGreaterThanOrEqual(0);
      expect(def(alpha[p])).toBeLessThanOrEqual(1);
    }
  });

  it('reports the fallbacks pymatting raises for', () => {
    expect(estimateAlphaCf(image, new Uint8Array(width * height).fill(128))).toEqual({
      ok: false,
      reason: 'the trimap has no certain foreground',
      fault: 'trimap',
    });
    const noBackground = Uint8Array.from(trimap, (v) => (v === 0 ? 128 : v));
    expect(estimateAlphaCf(image, noBackground)).toMatchObject({ ok: false, fault: 'trimap' });
    const stalled = estimateAlphaCf(image, trimap, { maxIterations: 1, rtol: 1e-12 });
    // The solver, not the trimap, is at fault: callers pick the error code by this field.
    expect(stalled).toMatchObject({ ok: false, fault: 'solver' });
    if (!stalled.ok) expect(stalled.reason).toMatch(/did not converge/);
  });
});
