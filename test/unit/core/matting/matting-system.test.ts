import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../../core/image/raster.ts';
import {
  buildMattingSystem,
  isUnknownTrimapValue,
} from '../../../../core/matting/matting-system.ts';
import { multiply, toDense } from '../../../../core/matting/stencil-matrix.ts';
import { collectUnknown } from '../../../../core/matting/unknown-set.ts';

/** Indexing that fails loudly instead of asserting non-null. */
function def<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('index out of range');
  return v;
}

const EPS = 1e-7;

function randomImage(width: number, height: number, seed: number): RgbImage {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % 256;
  };
  return { data: Uint8Array.from({ length: width * height * 3 }, next), width, height };
}

/** Solves M v = b for a 3x3 M by Gaussian elimination (independent of the code under test). */
function solve3(m: number[][], b: number[]): number[] {
  const a = m.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < 3; c++) {
    for (let r = c + 1; r < 3; r++) {
      const f = ((a[r] as number[])[c] as number) / ((a[c] as number[])[c] as number);
      for (let k = c; k < 4; k++)
        (a[r] as number[])[k] =
          ((a[r] as number[])[k] as number) - f * ((a[c] as number[])[k] as number);
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let acc = (a[r] as number[])[3] as number;
    for (let k = r + 1; k < 3; k++) acc -= ((a[r] as number[])[k] as number) * (x[k] as number);
    x[r] = acc / ((a[r] as number[])[r] as number);
  }
  return x;
}

/** The whole-image matting Laplacian straight from the formula, dense. */
function denseLaplacian(image: RgbImage): number[][] {
  const { width: w, height: h } = image;
  const n = w * h;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const colour = (p: number) => [0, 1, 2].map((c) => (image.data[p * 3 + c] as number) / 255);
  for (let cy = 1; cy < h - 1; cy++) {
    for (let cx = 1; cx < w - 1; cx++) {
      const px: number[] = [];
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) px.push((cy + dy) * w + cx + dx);
      const cols = px.map(colour);
      const mean = [0, 1, 2].map((c) => cols.reduce((s, v) => s + (v[c] as number), 0) / 9);
      const centred = cols.map((v) => v.map((x, c) => x - (mean[c] as number)));
      const cov = [0, 1, 2].map((r) =>
        [0, 1, 2].map(
          (c) =>
            (centred.reduce((s, v) => s + (v[r] as number) * (v[c] as number), 0) +
              (r === c ? EPS : 0)) /
            9,
        ),
      );
      for (let i = 0; i < 9; i++) {
        for (let j = 0; j < 9; j++) {
          const v = solve3(cov, centred[j] as number[]);
          const ci = centred[i] as number[];
          const q = def(ci[0]) * def(v[0]) + def(ci[1]) * def(v[1]) + def(ci[2]) * def(v[2]);
          const row = def(L[def(px[i])]);
          const col = def(px[j]);
          row[col] = def(row[col]) + (i === j ? 1 : 0) - (1 + q) / 9;
        }
      }
    }
  }
  return L;
}

function system(image: RgbImage, trimap: Uint8Array) {
  const set = collectUnknown(trimap, image.width, image.height, isUnknownTrimapValue);
  return { set, ...buildMattingSystem(image, trimap, set) };
}

describe('matting Laplacian', () => {
  it('is delta - 1/9 on a flat 3x3 window (off-diagonals stored in single precision)', () => {
    const image: RgbImage = { data: new Uint8Array(27).fill(90), width: 3, height: 3 };
    const { matrix } = system(image, new Uint8Array(9).fill(128));
    const L = toDense(matrix);
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 9; j++)
        expect(def(def(L[i])[j])).toBeCloseTo((i === j ? 1 : 0) - 1 / 9, 8);
    }
  });

  it('matches hand-computed entries on a two-colour 3x3 window', () => {
    // Left column red (255, 0, 0), the rest black. Red: mean 1/3, c = 2/3 or -1/3, variance 2/9,
    // so (ignoring epsilon) c_i c_j / var is 2 (red, red), -1 (red, black), 1/2 (black, black):
    // L = delta - 3/9, delta - 0, delta - 1.5/9.
    const data = new Uint8Array(27);
    for (const p of [0, 3, 6]) data[p * 3] = 255;
    const { matrix } = system({ data, width: 3, height: 3 }, new Uint8Array(9).fill(128));
    const L = toDense(matrix);
    const red = (p: number) => p % 3 === 0;
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 9; j++) {
        const delta = i === j ? 1 : 0;
        const expected =
          red(i) && red(j) ? delta - 1 / 3 : red(i) !== red(j) ? delta : delta - 1 / 6;
        expect(def(def(L[i])[j])).toBeCloseTo(expected, 6);
      }
    }
  });

  it('is symmetric with zero row sums over a whole small image, as the formula gives', () => {
    const image = randomImage(6, 5, 7);
    const { matrix } = system(image, new Uint8Array(30).fill(128));
    const L = toDense(matrix);
    const reference = denseLaplacian(image);
    for (let i = 0; i < 30; i++) {
      let sum = 0;
      for (let j = 0; j < 30; j++) {
        sum += def(def(L[i])[j]);
        expect(def(def(L[i])[j])).toBeCloseTo(def(def(L[j])[i]), 9);
        expect(def(def(L[i])[j])).toBeCloseTo(def(def(reference[i])[j]), 6);
      }
      expect(Math.abs(sum)).toBeLessThan(1e-6);
    }
  });

  it('restricted to the unknown pixels equals L_UU with -L_UK alpha_K on the right', () => {
    const image = randomImage(8, 7, 3);
    const trimap = new Uint8Array(56);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 8; x++)
        trimap[y * 8 + x] = x < 2 ? 0 : x > 5 ? 255 : (x + y) % 3 === 0 ? 255 : 128;
    }
    const { set, matrix, rhs } = system(image, trimap);
    const full = denseLaplacian(image);
    const unknown: number[] = [];
    for (let y = 0; y < 7; y++) {
      for (let p = def(set.rowStart[y]); p < def(set.rowStart[y + 1]); p++)
        unknown.push(y * 8 + def(set.xs[p]));
    }
    expect(unknown.length).toBe(set.count);
    const dense = toDense(matrix);
    unknown.forEach((pi, a) => {
      unknown.forEach((pj, b) => {
        expect(def(def(dense[a])[b])).toBeCloseTo(def(def(full[pi])[pj]), 6);
      });
      let expectedRhs = 0;
      for (let q = 0; q < 56; q++) if (trimap[q] === 255) expectedRhs -= def(def(full[pi])[q]);
      expect(def(rhs[a])).toBeCloseTo(expectedRhs, 6);
    });
    // The stencil product agrees with the dense one.
    const x = Float64Array.from({ length: set.count }, (_, i) => Math.sin(i));
    const y = new Float64Array(set.count);
    multiply(matrix, x, y);
    dense.forEach((row, a) => {
      expect(def(y[a])).toBeCloseTo(
        row.reduce((s, v, b) => s + v * def(x[b]), 0),
        9,
      );
    });
  });
});
