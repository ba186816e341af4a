import { describe, expect, it } from 'vitest';
import { boxMean } from '../../../../../core/pipeline/refine/box-mean.ts';
import { lcg } from './synthetic.ts';

function bruteForce(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let n = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
          sum += src[yy * w + xx] ?? 0;
          n++;
        }
      }
      out[y * w + x] = sum / n;
    }
  }
  return out;
}

describe('boxMean', () => {
  it.each([0, 1, 3, 9])('equals the windowed mean, borders clipped (r = %i)', (r) => {
    const w = 13;
    const h = 7;
    const random = lcg(r + 1);
    const src = Float32Array.from({ length: w * h }, () => random());
    const got = boxMean(src, w, h, r);
    const want = bruteForce(src, w, h, r);
    for (let i = 0; i < src.length; i++) expect(got[i]).toBeCloseTo(want[i] ?? 0, 5);
  });
});
