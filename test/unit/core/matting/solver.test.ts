import { describe, expect, it } from 'vitest';
import { conjugateGradient } from '../../../../core/matting/conjugate-gradient.ts';
import {
  applyIncompleteCholesky,
  incompleteCholesky,
} from '../../../../core/matting/incomplete-cholesky.ts';
import {
  createStencilMatrix,
  multiply,
  SLOTS,
  toDense,
} from '../../../../core/matting/stencil-matrix.ts';

/** Indexing that fails loudly instead of asserting non-null. */
function def<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('index out of range');
  return v;
}

const identity = (r: Float64Array, z: Float64Array) => z.set(r);

describe('conjugateGradient', () => {
  it('solves a known 3x3 SPD system', () => {
    const A = [
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ];
    const b = Float64Array.from([1, 2, 3]);
    // Cramer's rule by hand: det A = 18, x = [4, 2, 26] / 18.
    const expected = [2 / 9, 1 / 9, 13 / 9];
    const apply = (x: Float64Array, y: Float64Array) => {
      for (let i = 0; i < 3; i++) y[i] = def(A[i]).reduce((s, v, j) => s + v * def(x[j]), 0);
    };
    const result = conjugateGradient(apply, b, new Float64Array(3), identity, {
      rtol: 1e-12,
      maxIterations: 10,
    });
    expect(result.converged).toBe(true);
    // Exact arithmetic converges in at most n = 3 steps.
    expect(result.iterations).toBeLessThanOrEqual(3);
    result.x.forEach((v, i) => {
      expect(v).toBeCloseTo(def(expected[i]), 10);
    });
    const check = new Float64Array(3);
    apply(result.x, check);
    check.forEach((v, i) => {
      expect(v).toBeCloseTo(def(b[i]), 10);
    });
  });

  it('reports non-convergence instead of returning a wrong answer as converged', () => {
    const apply = (x: Float64Array, y: Float64Array) => {
      for (let i = 0; i < x.length; i++) y[i] = (i + 1) * def(x[i]);
    };
    const b = new Float64Array(50).fill(1);
    const result = conjugateGradient(apply, b, new Float64Array(50), identity, {
      rtol: 1e-12,
      maxIterations: 2,
    });
    expect(result.converged).toBe(false);
    expect(result.relativeResidual).toBeGreaterThan(1e-12);
  });
});

/** A 1-row stencil matrix: tridiagonal (only the dx = 1 slot), so IC(0) is a full Cholesky. */
function tridiagonal(n: number): ReturnType<typeof createStencilMatrix> {
  const a = createStencilMatrix(n);
  for (let i = 0; i < n; i++) {
    a.diag[i] = 2 + i * 0.1;
    if (i + 1 < n) {
      a.cols[i * SLOTS] = i + 1;
      a.vals[i * SLOTS] = -1;
    }
  }
  return a;
}

describe('incompleteCholesky', () => {
  it('is the exact Cholesky factor (to single precision) when the pattern needs no fill', () => {
    const a = tridiagonal(12);
    const f = incompleteCholesky(a, [0]);
    expect(f).toBeDefined();
    const factor = f as NonNullable<typeof f>;
    // Applying (U^T U)^-1 then A gives the vector back.
    const r = Float64Array.from({ length: 12 }, (_, i) => Math.cos(i));
    const z = new Float64Array(12);
    applyIncompleteCholesky(factor, r, z);
    const back = new Float64Array(12);
    multiply(a, z, back);
    back.forEach((v, i) => {
      expect(v).toBeCloseTo(def(r[i]), 5);
    });
  });

  it('retries with a larger shift when a pivot breaks down, and gives up on an indefinite matrix', () => {
    const a = createStencilMatrix(2);
    a.diag.set([1, 1]);
    a.cols[0] = 1;
    a.vals[0] = 2; // [[1,2],[2,1]] is indefinite: IC(0) with a small shift fails
    const f = incompleteCholesky(a, [0, 0.01, 10]);
    expect(f?.shift).toBe(10);
    expect(incompleteCholesky(a, [0, 0.01])).toBeUndefined();
  });

  it('makes PCG converge to the dense solution of a stencil system', () => {
    const a = tridiagonal(30);
    const dense = toDense(a);
    const b = Float64Array.from({ length: 30 }, (_, i) => (i % 5) - 2);
    const f = incompleteCholesky(a, [0.01]);
    expect(f).toBeDefined();
    const factor = f as NonNullable<typeof f>;
    const result = conjugateGradient(
      (x, y) => multiply(a, x, y),
      b,
      new Float64Array(30),
      (r, z) => applyIncompleteCholesky(factor, r, z),
      { rtol: 1e-12, maxIterations: 100 },
    );
    expect(result.converged).toBe(true);
    dense.forEach((row, i) => {
      expect(row.reduce((s, v, j) => s + v * def(result.x[j]), 0)).toBeCloseTo(def(b[i]), 8);
    });
  });
});

describe('fused dot products of the stencil kernels', () => {
  /** A 2-D stencil system over a 6x5 block: every forward slot is used. */
  function block(): ReturnType<typeof createStencilMatrix> {
    const w = 6;
    const h = 5;
    const a = createStencilMatrix(w * h);
    const offsets: [number, number][] = [
      [1, 0],
      [2, 0],
      [-2, 1],
      [-1, 1],
      [0, 1],
      [1, 1],
      [2, 1],
      [-2, 2],
      [-1, 2],
      [0, 2],
      [1, 2],
      [2, 2],
    ];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        a.diag[i] = 20 + (i % 7);
        offsets.forEach(([dx, dy], s) => {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || nx >= w || ny >= h) return;
          a.cols[i * SLOTS + s] = ny * w + nx;
          a.vals[i * SLOTS + s] = -0.5 - ((i + s) % 3) * 0.25;
        });
      }
    }
    return a;
  }

  it('multiply returns x . (A x) and IC(0) returns r . z, equal to a separate pass', () => {
    const a = block();
    const x = Float64Array.from({ length: a.n }, (_, i) => Math.sin(i + 1));
    const y = new Float64Array(a.n);
    const xy = multiply(a, x, y);
    expect(xy).toBeCloseTo(
      x.reduce((s, v, i) => s + v * def(y[i]), 0),
      9,
    );
    const f = incompleteCholesky(a, [0]);
    expect(f).toBeDefined();
    const z = new Float64Array(a.n);
    const rz = applyIncompleteCholesky(f as NonNullable<typeof f>, x, z);
    expect(rz).toBeCloseTo(
      x.reduce((s, v, i) => s + v * def(z[i]), 0),
      9,
    );
    expect(rz).toBeGreaterThan(0);
  });

  it('CG takes the same path whether the kernels return the dot products or not', () => {
    const a = block();
    const f = incompleteCholesky(a, [0]) as NonNullable<ReturnType<typeof incompleteCholesky>>;
    const b = Float64Array.from({ length: a.n }, (_, i) => (i % 4) - 1.5);
    const fused = conjugateGradient(
      (x, y) => multiply(a, x, y),
      b,
      new Float64Array(a.n),
      (r, z) => applyIncompleteCholesky(f, r, z),
      { rtol: 1e-10, maxIterations: 200 },
    );
    const plain = conjugateGradient(
      (x, y) => {
        multiply(a, x, y);
      },
      b,
      new Float64Array(a.n),
      (r, z) => {
        applyIncompleteCholesky(f, r, z);
      },
      { rtol: 1e-10, maxIterations: 200 },
    );
    expect(fused.converged).toBe(true);
    expect(fused.iterations).toBe(plain.iterations);
    fused.x.forEach((v, i) => {
      expect(v).toBeCloseTo(def(plain.x[i]), 8);
    });
  });
});

describe('incompleteCholesky pivot fixes', () => {
  /**
   * 1,500 rows (one fix allowed): a well-conditioned tridiagonal chain, with rows 1000 and 1001 coupled so
   * strongly ([[1, 2], [2, 1]]) that their second pivot breaks down at any small shift.
   */
  function chainWithBadPair(): ReturnType<typeof createStencilMatrix> {
    const n = 1500;
    const a = createStencilMatrix(n);
    for (let i = 0; i < n; i++) {
      a.diag[i] = 4;
      if (i + 1 < n && i !== 999 && i !== 1001) {
        a.cols[i * SLOTS] = i + 1;
        a.vals[i * SLOTS] = -1;
      }
    }
    a.diag[1000] = 1;
    a.diag[1001] = 1;
    a.vals[1000 * SLOTS] = 2;
    return a;
  }

  it('replaces one broken-down pivot in a large system instead of raising the shift for all', () => {
    const a = chainWithBadPair();
    const f = incompleteCholesky(a, [0.01, 10]);
    expect(f?.shift).toBe(0.01);
    expect(f?.pivotFixes).toBe(1);
    // The factor is still positive definite: r . (U^T U)^-1 r > 0.
    const r = Float64Array.from({ length: a.n }, (_, i) => Math.cos(i));
    const z = new Float64Array(a.n);
    expect(applyIncompleteCholesky(f as NonNullable<typeof f>, r, z)).toBeGreaterThan(0);
  });

  it('falls back to the next shift when more pivots break down than it may fix', () => {
    const a = chainWithBadPair();
    // Make a second pair break down too: 2 > floor(1500 / 1000) fixes.
    a.cols[499 * SLOTS] = 499;
    a.vals[499 * SLOTS] = 0;
    a.cols[501 * SLOTS] = 501;
    a.vals[501 * SLOTS] = 0;
    a.diag[500] = 1;
    a.diag[501] = 1;
    a.cols[500 * SLOTS] = 501;
    a.vals[500 * SLOTS] = 2;
    const f = incompleteCholesky(a, [0.01, 10]);
    expect(f?.shift).toBe(10);
    expect(f?.pivotFixes).toBe(0);
  });
});
