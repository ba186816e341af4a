import { describe, expect, it } from 'vitest';
import {
  gaussianKernel,
  postProcessMask,
  reflectIndex,
} from '../../../../core/pipeline/post-process-mask.ts';

/** 20x20: a 10x10 square, an isolated speck at (1,1), a one-pixel spur at (15,10). */
function shape() {
  const data = new Uint8Array(400);
  for (let y = 5; y < 15; y++) data.fill(255, y * 20 + 5, y * 20 + 15);
  data[1 * 20 + 1] = 255;
  data[10 * 20 + 15] = 255;
  return { data, width: 20, height: 20 };
}

// scipy 1.17 grey_opening (cross, reflect) + gaussian_filter(sigma=2) + threshold 127 on shape().
const EXPECTED = [
  '....................',
  '....................',
  '....................',
  '....................',
  '....................',
  '.......######.......',
  '......########......',
  '.....##########.....',
  '.....##########.....',
  '.....##########.....',
  '.....##########.....',
  '.....##########.....',
  '.....##########.....',
  '......########......',
  '.......######.......',
  '....................',
  '....................',
  '....................',
  '....................',
  '....................',
];

describe('postProcessMask', () => {
  it('removes specks and spurs, rounds corners and leaves a binary mask (as scipy)', () => {
    const out = postProcessMask(shape());
    const rows = Array.from({ length: 20 }, (_, y) =>
      [...out.data.slice(y * 20, y * 20 + 20)].map((v) => (v === 255 ? '#' : '.')).join(''),
    );
    expect(rows).toEqual(EXPECTED);
    expect(out.data.every((v) => v === 0 || v === 255)).toBe(true);
  });
});

describe('gaussianKernel', () => {
  it('has radius 8 for sigma 2 and sums to 1', () => {
    const k = gaussianKernel(2);
    expect(k.length).toBe(17);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(k[8]).toBeCloseTo(0.19947, 4);
  });
});

describe('reflectIndex', () => {
  it('repeats the edge sample like scipy mode=reflect', () => {
    expect([-3, -2, -1, 0, 3, 4, 5, 6].map((i) => reflectIndex(i, 4))).toEqual([
      2, 1, 0, 0, 3, 3, 2, 1,
    ]);
    expect([-1, 1, 2].map((i) => reflectIndex(i, 1))).toEqual([0, 0, 0]);
  });
});
