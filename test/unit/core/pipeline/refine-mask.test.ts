import { describe, expect, it } from 'vitest';
import type { Mask } from '../../../../core/image/raster.ts';
import { featherMask, shiftMask } from '../../../../core/pipeline/refine-mask.ts';

function mask(width: number, height: number, at: (x: number, y: number) => number): Mask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = at(x, y);
  return { data, width, height };
}

/** The definition, slowly: max over the disc dx^2 + dy^2 <= r^2, outside the image = 0. */
function bruteDilate(m: Mask, r: number): Uint8Array {
  const out = new Uint8Array(m.data.length);
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      let best = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (dx * dx + dy * dy > r * r || xx < 0 || yy < 0 || xx >= m.width || yy >= m.height) {
            continue;
          }
          best = Math.max(best, m.data[yy * m.width + xx] ?? 0);
        }
      }
      out[y * m.width + x] = best;
    }
  }
  return out;
}

/** A fixed pseudo-random soft mask (an LCG, so the test is the same on every run). */
function noise(width: number, height: number): Mask {
  let seed = 12345;
  return mask(width, height, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % 7 === 0 ? seed % 256 : 0;
  });
}

describe('shiftMask (mask_shift)', () => {
  it('grows a single pixel into a disc of radius n', () => {
    const grown = shiftMask(
      mask(15, 15, (x, y) => (x === 7 && y === 7 ? 255 : 0)),
      3,
    );
    const expected = mask(15, 15, (x, y) => ((x - 7) ** 2 + (y - 7) ** 2 <= 9 ? 255 : 0));
    expect([...grown.data]).toEqual([...expected.data]);
    expect(grown.data.filter((v) => v === 255)).toHaveLength(29);
  });

  it('is the grey dilation by a disc, soft values and borders included', () => {
    const m = noise(23, 17);
    for (const r of [1, 2, 3, 5, 8])
      expect([...shiftMask(m, r).data]).toEqual([...bruteDilate(m, r)]);
  });

  it('computes only near edges on large masks, with the same result (tiles, flat areas skipped)', () => {
    // 230x170: many 32-pixel tiles, flat subject and background, soft blobs, borders touched.
    const big = mask(230, 170, (x, y) => {
      if (Math.hypot(x - 100, y - 80) < 50) return 255;
      if (Math.hypot(x - 200, y - 20) < 15) return 120;
      if (x < 8 && y > 140) return 255;
      // Sparse specks in one corner only, so most tiles elsewhere are flat.
      return x > 150 && y > 110 && (x * 7 + y * 13) % 97 === 0 ? 60 : 0;
    });
    for (const r of [3, 20]) {
      expect([...shiftMask(big, r).data]).toEqual([...bruteDilate(big, r)]);
      const inverted = { ...big, data: big.data.map((v) => 255 - v) };
      expect([...shiftMask(big, -r).data]).toEqual([
        ...bruteDilate(inverted, r).map((v) => 255 - v),
      ]);
    }
  });

  it('shrinks with a negative n: a 10x10 square loses 2 pixels on every side', () => {
    const square = mask(20, 20, (x, y) => (x >= 5 && x < 15 && y >= 5 && y < 15 ? 255 : 0));
    const shrunk = shiftMask(square, -2);
    const expected = mask(20, 20, (x, y) => (x >= 7 && x < 13 && y >= 7 && y < 13 ? 255 : 0));
    expect([...shrunk.data]).toEqual([...expected.data]);
  });

  it('does not eat a subject from the image border when shrinking', () => {
    const full = mask(12, 9, () => 255);
    expect([...shiftMask(full, -4).data].every((v) => v === 255)).toBe(true);
    // ...but an edge inside the image moves: the left half, shrunk by 3, keeps columns 0-2.
    const half = mask(12, 9, (x) => (x < 6 ? 255 : 0));
    expect([...shiftMask(half, -3).data.subarray(0, 12)]).toEqual([
      255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('erodes soft values as the complement of dilating the complement', () => {
    const m = noise(19, 13);
    const inverted = { ...m, data: m.data.map((v) => 255 - v) };
    const expected = bruteDilate(inverted, 4).map((v) => 255 - v);
    // Outside the image counts as foreground when shrinking: the brute force pads with 0 in the
    // inverted image, which is exactly that.
    expect([...shiftMask(m, -4).data]).toEqual([...expected]);
  });

  it('leaves the mask alone at 0', () => {
    const m = noise(5, 5);
    expect(shiftMask(m, 0)).toBe(m);
  });
});

describe('featherMask (mask_feather)', () => {
  const step = () => mask(60, 4, (x) => (x < 30 ? 255 : 0));

  it('turns a hard edge into a ramp about n pixels wide, centred on the edge', async () => {
    const row = [...(await featherMask(step(), 16)).data.subarray(0, 60)];
    // sigma 4: at 8.5 px (2 sigma and a bit) from the edge the ramp has all but ended.
    expect(row[21]).toBeGreaterThanOrEqual(250);
    expect(row[38]).toBeLessThanOrEqual(5);
    // The two pixels either side of the edge straddle half.
    expect(row[29]).toBeGreaterThan(128);
    expect(row[30]).toBeLessThan(128);
    expect(Math.abs((row[29] ?? 0) + (row[30] ?? 0) - 255)).toBeLessThanOrEqual(2);
    // Strictly inside the ramp every step goes down.
    for (let x = 23; x < 37; x++) expect(row[x + 1]).toBeLessThan(row[x] ?? 0);
    // Far from the edge nothing changes.
    expect(row[0]).toBe(255);
    expect(row[59]).toBe(0);
  });

  it('makes a wider ramp for a larger n', async () => {
    const soft = (await featherMask(step(), 40)).data;
    const hard = (await featherMask(step(), 8)).data;
    expect(soft[25]).toBeLessThan(hard[25] ?? 0);
    expect(soft[35]).toBeGreaterThan(hard[35] ?? 0);
  });

  it('leaves the mask alone at 0', async () => {
    const m = step();
    expect(await featherMask(m, 0)).toBe(m);
  });
});
