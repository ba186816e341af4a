import { FORWARD_OFFSETS, SLOTS, type StencilMatrix, slotOf } from './stencil-matrix.ts';

/**
 * Relative diagonal shifts (A + s * diag(A)) tried in turn when a pivot breaks down. IC(0) of
 * the matting Laplacian broke down at 0, 1e-4 and 1e-3 on every reference case, and 0.01 gave
 * the fewest CG iterations (lemur: 200 at 0.003, 162 at 0.01, 171 at 0.03, 225 at 0.1), so
 * the list starts there instead of pymatting's absolute 0, 1e-4, ... which would waste three
 * factorisations.
 */
export const SHIFTS = [0.01, 0.1, 1, 10, 100];

/**
 * A pivot that has fallen to this fraction of its row's (shifted) diagonal, or below, is
 * replaced by that diagonal instead of restarting with a ten times larger shift for the whole
 * matrix. On dance-twirl one pivot in 20,716 broke down at 0.01: fixing it locally took CG
 * from 54 iterations (whole factor at 0.1) to 40, and the alpha closer to pymatting's.
 */
export const PIVOT_FLOOR = 1e-3;

/**
 * Local fixes allowed per thousand rows; more mean the matrix is far from factorable at this
 * shift (and tiny systems get none), so the next shift is tried as before.
 */
export const PIVOT_FIXES_PER_1000 = 1;

const OFFSET_X = Int8Array.from(FORWARD_OFFSETS, ([dx]) => dx);
const OFFSET_Y = Int8Array.from(FORWARD_OFFSETS, ([, dy]) => dy);

/** An upper factor U (U^T U ~ A) on the matrix's own stencil pattern: IC(0), no fill-in. */
export interface IncompleteCholesky {
  readonly n: number;
  readonly diag: Float64Array;
  readonly cols: Int32Array;
  /**
   * Single precision, also while factoring: a preconditioner only has to be close (the CG
   * iteration counts on the reference cases are the same as with double), and no double copy
   * is ever held.
   */
  readonly vals: Float32Array;
  readonly shift: number;
  /** Pivots replaced by their diagonal (see PIVOT_FLOOR). */
  readonly pivotFixes: number;
}

/**
 * IC(0) of a stencil matrix. The pattern never grows, so memory stays at the matrix's own
 * size; entries (j, k) updated by row i are found in O(1) from the pixel offsets. Returns
 * undefined if every shift breaks down.
 */
export function incompleteCholesky(
  a: StencilMatrix,
  shifts: readonly number[] = SHIFTS,
): IncompleteCholesky | undefined {
  for (const shift of shifts) {
    const f = factor(a, shift);
    if (f) return f;
  }
  return undefined;
}

function factor(a: StencilMatrix, shift: number): IncompleteCholesky | undefined {
  const { n, cols } = a;
  const diag = Float64Array.from(a.diag);
  const vals = Float32Array.from(a.vals);
  if (shift !== 0) for (let i = 0; i < n; i++) diag[i] = (diag[i] as number) * (1 + shift);
  const present = new Int32Array(SLOTS);
  const allowedFixes = Math.floor((n * PIVOT_FIXES_PER_1000) / 1000);
  let pivotFixes = 0;
  for (let i = 0; i < n; i++) {
    let d = diag[i] as number;
    const own = (a.diag[i] as number) * (1 + shift);
    if (!(d > PIVOT_FLOOR * own) && pivotFixes < allowedFixes && own > 0) {
      pivotFixes++;
      d = own;
    }
    if (!(d > 0)) return undefined;
    const root = Math.sqrt(d);
    diag[i] = root;
    const base = i * SLOTS;
    let m = 0;
    for (let s = 0; s < SLOTS; s++) {
      if (cols[base + s] === i) continue;
      vals[base + s] = (vals[base + s] as number) / root;
      present[m++] = s;
    }
    for (let p = 0; p < m; p++) {
      const s1 = present[p] as number;
      const j = cols[base + s1] as number;
      const uij = vals[base + s1] as number;
      diag[j] = (diag[j] as number) - uij * uij;
      const o1x = OFFSET_X[s1] as number;
      const o1y = OFFSET_Y[s1] as number;
      for (let q = p + 1; q < m; q++) {
        const s2 = present[q] as number;
        const k = cols[base + s2] as number;
        const dx = (OFFSET_X[s2] as number) - o1x;
        const dy = (OFFSET_Y[s2] as number) - o1y;
        // Entry (j, k) lives in the row of whichever comes first in raster order.
        const s = k > j ? slotOf(dx, dy) : slotOf(-dx, -dy);
        if (s < 0) continue;
        const lo = Math.min(k, j);
        const hi = Math.max(k, j);
        const at = lo * SLOTS + s;
        if (cols[at] !== hi) continue;
        vals[at] = (vals[at] as number) - uij * (vals[base + s2] as number);
      }
    }
  }
  return { n, diag, cols, vals, shift, pivotFixes };
}

/** z = (U^T U)^-1 r; returns r . z (taken in the backward pass, where each z[i] is final). */
export function applyIncompleteCholesky(
  f: IncompleteCholesky,
  r: Float64Array,
  z: Float64Array,
): number {
  const { n, diag, cols, vals } = f;
  // Empty slots point at the row itself with value 0, so they need no branch. The forward
  // pass divides before scattering, so a self slot subtracts 0 from an already final z[i].
  z.set(r);
  for (let i = 0; i < n; i++) {
    const zi = (z[i] as number) / (diag[i] as number);
    z[i] = zi;
    const base = i * SLOTS;
    for (let s = 0; s < SLOTS; s++) {
      const c = cols[base + s] as number;
      z[c] = (z[c] as number) - (vals[base + s] as number) * zi;
    }
  }
  let rz = 0;
  for (let i = n - 1; i >= 0; i--) {
    let acc = z[i] as number;
    const base = i * SLOTS;
    for (let s = 0; s < SLOTS; s++) {
      acc -= (vals[base + s] as number) * (z[cols[base + s] as number] as number);
    }
    const zi = acc / (diag[i] as number);
    z[i] = zi;
    rz += (r[i] as number) * zi;
  }
  return rz;
}
