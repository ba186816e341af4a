import type { RgbImage } from '../image/raster.ts';
import { createStencilMatrix, SLOTS, type StencilMatrix, slotOf } from './stencil-matrix.ts';
import { RowCursor, type UnknownSet } from './unknown-set.ts';

/** Levin et al.'s regulariser and pymatting's default. */
export const CF_EPSILON = 1e-7;

/** The known alpha of a trimap value (pymatting's split: >= 0.9 foreground, <= 0.1 background). */
export function knownAlpha(trimapValue: number): number {
  return trimapValue >= 230 ? 1 : 0;
}

export function isUnknownTrimapValue(v: number): boolean {
  return v > 25 && v < 230;
}

export interface MattingSystem {
  readonly matrix: StencilMatrix;
  /** -L_UK alpha_K: the known pixels moved to the right-hand side. */
  readonly rhs: Float64Array;
}

/** Stencil slot linking window positions i and j (j after i in raster order), 81 entries. */
const WINDOW_SLOT = (() => {
  const t = new Int8Array(81).fill(-1);
  for (let i = 0; i < 9; i++) {
    for (let j = 0; j < 9; j++)
      t[i * 9 + j] = slotOf((j % 3) - (i % 3), ((j / 3) | 0) - ((i / 3) | 0));
  }
  return t;
})();

/**
 * The closed-form matting Laplacian restricted to the unknown pixels: only the full 3x3 windows
 * that contain at least one unknown pixel are visited, so the work and memory follow the
 * unknown band, not the image.
 */
export function buildMattingSystem(
  image: RgbImage,
  trimap: Uint8Array,
  set: UnknownSet,
  epsilon = CF_EPSILON,
): MattingSystem {
  const { width, height } = set;
  const matrix = createStencilMatrix(set.count);
  const rhs = new Float64Array(set.count);
  const { diag, cols, vals } = matrix;
  const px = image.data;
  const mark = new Uint8Array(width);
  const centres = new Int32Array(width);
  const cursors = [new RowCursor(set), new RowCursor(set), new RowCursor(set)] as const;
  const idx = new Int32Array(9);
  const cr = new Float64Array(9);
  const cg = new Float64Array(9);
  const cb = new Float64Array(9);
  const vr = new Float64Array(9);
  const vg = new Float64Array(9);
  const vb = new Float64Array(9);
  const known = new Float64Array(9);
  const inv255 = 1 / 255;

  for (let cy = 1; cy < height - 1; cy++) {
    let m = 0;
    for (let r = cy - 1; r <= cy + 1; r++) {
      const end = set.rowStart[r + 1] as number;
      for (let p = set.rowStart[r] as number; p < end; p++) {
        const x = set.xs[p] as number;
        for (let cx = Math.max(1, x - 1); cx <= Math.min(width - 2, x + 1); cx++) {
          if (mark[cx] === 0) {
            mark[cx] = 1;
            centres[m++] = cx;
          }
        }
      }
    }
    if (m === 0) continue;
    const list = centres.subarray(0, m).sort();
    for (let r = 0; r < 3; r++) (cursors[r] as RowCursor).reset(cy - 1 + r);

    for (let t = 0; t < m; t++) {
      const cx = list[t] as number;
      mark[cx] = 0;
      let mr = 0;
      let mg = 0;
      let mb = 0;
      for (let wy = 0; wy < 3; wy++) {
        const cursor = cursors[wy] as RowCursor;
        cursor.seek(cx - 1);
        const rowBase = (cy - 1 + wy) * width;
        for (let wx = 0; wx < 3; wx++) {
          const k = wy * 3 + wx;
          const x = cx - 1 + wx;
          idx[k] = cursor.at(x);
          const o = (rowBase + x) * 3;
          const r = (px[o] as number) * inv255;
          const g = (px[o + 1] as number) * inv255;
          const b = (px[o + 2] as number) * inv255;
          cr[k] = r;
          cg[k] = g;
          cb[k] = b;
          mr += r;
          mg += g;
          mb += b;
          known[k] = knownAlpha(trimap[rowBase + x] as number);
        }
      }
      mr /= 9;
      mg /= 9;
      mb /= 9;
      let srr = epsilon;
      let srg = 0;
      let srb = 0;
      let sgg = epsilon;
      let sgb = 0;
      let sbb = epsilon;
      for (let k = 0; k < 9; k++) {
        const r = (cr[k] as number) - mr;
        const g = (cg[k] as number) - mg;
        const b = (cb[k] as number) - mb;
        cr[k] = r;
        cg[k] = g;
        cb[k] = b;
        srr += r * r;
        srg += r * g;
        srb += r * b;
        sgg += g * g;
        sgb += g * b;
        sbb += b * b;
      }
      srr /= 9;
      srg /= 9;
      srb /= 9;
      sgg /= 9;
      sgb /= 9;
      sbb /= 9;
      // Closed-form inverse of the symmetric 3x3 covariance.
      const a00 = sgg * sbb - sgb * sgb;
      const a01 = srb * sgb - srg * sbb;
      const a02 = srg * sgb - srb * sgg;
      const a11 = srr * sbb - srb * srb;
      const a12 = srg * srb - srr * sgb;
      const a22 = srr * sgg - srg * srg;
      const det = srr * a00 + srg * a01 + srb * a02;
      const id = 1 / det;
      for (let k = 0; k < 9; k++) {
        const r = cr[k] as number;
        const g = cg[k] as number;
        const b = cb[k] as number;
        vr[k] = (a00 * r + a01 * g + a02 * b) * id;
        vg[k] = (a01 * r + a11 * g + a12 * b) * id;
        vb[k] = (a02 * r + a12 * g + a22 * b) * id;
      }
      for (let i = 0; i < 9; i++) {
        const ui = idx[i] as number;
        if (ui < 0) continue;
        const ri = cr[i] as number;
        const gi = cg[i] as number;
        const bi = cb[i] as number;
        let rhsAcc = 0;
        for (let j = 0; j < 9; j++) {
          const value =
            (i === j ? 1 : 0) -
            (1 + ri * (vr[j] as number) + gi * (vg[j] as number) + bi * (vb[j] as number)) / 9;
          if (i === j) {
            diag[ui] = (diag[ui] as number) + value;
            continue;
          }
          const uj = idx[j] as number;
          if (uj < 0) {
            rhsAcc -= value * (known[j] as number);
          } else if (uj > ui) {
            const at = ui * SLOTS + (WINDOW_SLOT[i * 9 + j] as number);
            cols[at] = uj;
            vals[at] = (vals[at] as number) + value;
          }
        }
        rhs[ui] = (rhs[ui] as number) + rhsAcc;
      }
    }
  }
  return { matrix, rhs };
}
