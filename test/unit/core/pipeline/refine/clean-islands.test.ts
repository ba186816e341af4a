import { describe, expect, it } from 'vitest';
import type { Mask } from '../../../../../core/image/raster.ts';
import { cleanIslands } from '../../../../../core/pipeline/refine/clean-islands.ts';

/** A canvas with filled rectangles [x, y, w, h, value] painted in order. */
function canvas(width: number, height: number, rects: number[][]): Mask {
  const data = new Uint8Array(width * height);
  for (const [x0 = 0, y0 = 0, w = 0, h = 0, v = 255] of rects) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * width + x] = v;
  }
  return { data, width, height };
}

const at = (m: Mask, x: number, y: number) => m.data[y * m.width + x];
const rule = { minIslandFraction: 0.01, maxHoleFraction: 0.01 };

describe('cleanIslands', () => {
  it('removes a speck below the fraction of the subject and keeps a large second piece', () => {
    // Subject 40x40 = 1600 px; speck 3x3 = 9 px (< 16); second piece 10x10 = 100 px (kept).
    const m = canvas(100, 60, [
      [5, 5, 40, 40],
      [60, 50, 3, 3],
      [70, 5, 10, 10],
    ]);
    const out = cleanIslands(m, rule);
    expect(at(out, 61, 51)).toBe(0);
    expect(at(out, 75, 10)).toBe(255);
    expect(at(out, 20, 20)).toBe(255);
  });

  it('fills a pinhole in the subject and keeps a large hole', () => {
    // Subject 50x50 with a 3x3 pinhole (9 px < 1% of ~2400) and a 12x12 hole (144 px, kept).
    const m = canvas(80, 80, [
      [10, 10, 50, 50],
      [15, 15, 3, 3, 0],
      [35, 35, 12, 12, 0],
    ]);
    const out = cleanIslands(m, rule);
    expect(at(out, 16, 16)).toBe(255);
    expect(at(out, 40, 40)).toBe(0);
  });

  it('never fills background that reaches the border', () => {
    // A notch open to the top edge is background, however small.
    const m = canvas(40, 40, [
      [0, 0, 40, 40],
      [20, 0, 2, 2, 0],
    ]);
    expect(at(cleanIslands(m, rule), 20, 0)).toBe(0);
  });

  it('decides by size relative to the subject, so the same scene at twice the size gives the same answer', () => {
    const small = cleanIslands(
      canvas(100, 60, [
        [5, 5, 40, 40],
        [60, 50, 3, 3],
      ]),
      rule,
    );
    const large = cleanIslands(
      canvas(200, 120, [
        [10, 10, 80, 80],
        [120, 100, 6, 6],
      ]),
      rule,
    );
    expect([at(small, 61, 51), at(large, 122, 102)]).toEqual([0, 0]);
  });

  it('keeps soft pixels and the mask size; an empty mask stays empty', () => {
    const m = canvas(20, 20, [
      [2, 2, 10, 10],
      [12, 2, 1, 10, 90],
    ]);
    const out = cleanIslands(m, rule);
    expect(at(out, 12, 5)).toBe(90);
    expect([out.width, out.height]).toEqual([20, 20]);
    const empty = cleanIslands(canvas(8, 8, []), rule);
    expect(empty.data.every((v) => v === 0)).toBe(true);
  });
});
