import type { Mask, RgbImage } from '../../image/raster.ts';
import { boxMean } from './box-mean.ts';

export interface GuidedFilterOptions {
  /** Window radius in pixels of the image. */
  readonly radius: number;
  /** Regularisation on the 0..1 colour scale: larger keeps the mask smoother, smaller follows colour edges more. */
  readonly epsilon: number;
}

/**
 * The colour guided filter (He, Sun and Tang, 2013) of a soft mask, guided by the image: in each
 * window the output is an affine function of the pixel's colour fitted to the mask, so the
 * mask's edge snaps to the colour edge it straddles while flat regions keep their values. The
 * result is a float plane on the 0..1 scale (not clipped).
 */
export function guidedFilter(
  image: RgbImage,
  mask: Mask,
  { radius, epsilon }: GuidedFilterOptions,
): Float32Array {
  const { width, height } = mask;
  if (image.width !== width || image.height !== height) {
    throw new Error(
      `guided filter: image ${image.width}x${image.height} vs mask ${width}x${height}`,
    );
  }
  const n = width * height;
  const scratch = new Float32Array(n);
  const mean = (src: Float32Array) => boxMean(src, width, height, radius, undefined, scratch);

  const r = new Float32Array(n);
  const g = new Float32Array(n);
  const b = new Float32Array(n);
  const p = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    r[i] = (image.data[3 * i] ?? 0) / 255;
    g[i] = (image.data[3 * i + 1] ?? 0) / 255;
    b[i] = (image.data[3 * i + 2] ?? 0) / 255;
    p[i] = (mask.data[i] ?? 0) / 255;
  }
  const product = (x: Float32Array, y: Float32Array) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (x[i] ?? 0) * (y[i] ?? 0);
    return mean(out);
  };
  const mr = mean(r);
  const mg = mean(g);
  const mb = mean(b);
  const mp = mean(p);
  const rr = product(r, r);
  const rg = product(r, g);
  const rb = product(r, b);
  const gg = product(g, g);
  const gb = product(g, b);
  const bb = product(b, b);
  const rp = product(r, p);
  const gp = product(g, p);
  const bp = product(b, p);

  // Per window: a = (Sigma + eps I)^-1 cov(I, p), b = mean(p) - a . mean(I). Reuses the
  // product planes for a and b to keep the memory at a few planes.
  const ar = rp;
  const ag = gp;
  const ab = bp;
  const bias = mp;
  for (let i = 0; i < n; i++) {
    const mR = mr[i] ?? 0;
    const mG = mg[i] ?? 0;
    const mB = mb[i] ?? 0;
    const mP = mp[i] ?? 0;
    const cr = (rp[i] ?? 0) - mR * mP;
    const cg = (gp[i] ?? 0) - mG * mP;
    const cb = (bp[i] ?? 0) - mB * mP;
    const s11 = (rr[i] ?? 0) - mR * mR + epsilon;
    const s12 = (rg[i] ?? 0) - mR * mG;
    const s13 = (rb[i] ?? 0) - mR * mB;
    const s22 = (gg[i] ?? 0) - mG * mG + epsilon;
    const s23 = (gb[i] ?? 0) - mG * mB;
    const s33 = (bb[i] ?? 0) - mB * mB + epsilon;
    // Symmetric 3x3 inverse by cofactors (positive definite thanks to epsilon).
    const c11 = s22 * s33 - s23 * s23;
    const c12 = s13 * s23 - s12 * s33;
    const c13 = s12 * s23 - s13 * s22;
    const c22 = s11 * s33 - s13 * s13;
    const c23 = s13 * s12 - s11 * s23;
    const c33 = s11 * s22 - s12 * s12;
    const det = s11 * c11 + s12 * c12 + s13 * c13;
    const inv = 1 / det;
    const aR = (c11 * cr + c12 * cg + c13 * cb) * inv;
    const aG = (c12 * cr + c22 * cg + c23 * cb) * inv;
    const aB = (c13 * cr + c23 * cg + c33 * cb) * inv;
    ar[i] = aR;
    ag[i] = aG;
    ab[i] = aB;
    bias[i] = mP - aR * mR - aG * mG - aB * mB;
  }
  const mar = mean(ar);
  const mag = mean(ag);
  const mab = mean(ab);
  const mbias = mean(bias);
  const q = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    q[i] =
      (mar[i] ?? 0) * (r[i] ?? 0) +
      (mag[i] ?? 0) * (g[i] ?? 0) +
      (mab[i] ?? 0) * (b[i] ?? 0) +
      (mbias[i] ?? 0);
  }
  return q;
}
