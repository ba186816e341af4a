import type { RgbImage } from '../image/raster.ts';

/** Levels above this size are swept only near the alpha transitions. */
export const RESTRICT_ABOVE = 65_536;

/** pymatting's `estimate_foreground_ml` defaults (Germer et al. 2020). */
export const ML_DEFAULTS = {
  regularization: 1e-5,
  smallIterations: 10,
  bigIterations: 2,
  smallSize: 32,
  gradientWeight: 1,
  restrictAbove: RESTRICT_ABOVE,
} as const satisfies MlOptions;

export interface MlOptions {
  readonly regularization: number;
  readonly smallIterations: number;
  readonly bigIterations: number;
  readonly smallSize: number;
  readonly gradientWeight: number;
  /**
   * Levels with more pixels than this update only the pixels near a soft or changing alpha
   * (see `bandStates`); Infinity reproduces pymatting's every-pixel sweeps.
   */
  readonly restrictAbove: number;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The level sizes: a geometric ramp from 1x1 to width x height. */
export function levelSizes(width: number, height: number): [number, number][] {
  const levels = Math.ceil(Math.log2(Math.max(width, height)));
  if (levels === 0) return [[width, height]];
  const out: [number, number][] = [];
  for (let l = 0; l <= levels; l++) {
    out.push([roundHalfEven(width ** (l / levels)), roundHalfEven(height ** (l / levels))]);
  }
  return out;
}

function nearestIndex(size: number, srcSize: number): Int32Array {
  const idx = new Int32Array(size);
  for (let d = 0; d < size; d++) idx[d] = Math.min(Math.floor((d * srcSize) / size), srcSize - 1);
  return idx;
}

/** Nearest-neighbour resize of one float plane. */
function resizePlane(
  src: Float32Array,
  sw: number,
  sh: number,
  w: number,
  h: number,
): Float32Array {
  if (sw === w && sh === h) return src;
  const xi = nearestIndex(w, sw);
  const yi = nearestIndex(h, sh);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = (yi[y] as number) * sw;
    for (let x = 0; x < w; x++) out[y * w + x] = src[row + (xi[x] as number)] as number;
  }
  return out;
}

/**
 * Multi-level foreground estimation: for each colour channel, F and B are refined from a 1x1
 * level up to full size with in-place (Gauss-Seidel) sweeps of the per-pixel 2x2 normal
 * equations. Channels are independent given alpha, so they are done one at a time. Levels
 * above `restrictAbove` pixels are held compactly: only the pixels near an alpha transition
 * (and those the next level samples) exist there, so their cost and memory follow the soft band.
 * Returns F as 8-bit interleaved RGB; outside the band of a restricted top level, the image.
 */
export function estimateForegroundMl(
  image: RgbImage,
  alpha: Float32Array,
  options: MlOptions = ML_DEFAULTS,
): Uint8Array {
  const { width, height } = image;
  const sizes = levelSizes(width, height);
  const levels = planLevels(image, alpha, sizes, options);
  const sums = [0, 0, 0, 0, 0, 0];
  let fCount = 0;
  let bCount = 0;
  for (let i = 0; i < width * height; i++) {
    const a = alpha[i] as number;
    if (a > 0.9) {
      fCount++;
      for (let c = 0; c < 3; c++) sums[c] = (sums[c] as number) + (image.data[i * 3 + c] as number);
    } else if (a < 0.1) {
      bCount++;
      for (let c = 0; c < 3; c++) {
        sums[3 + c] = (sums[3 + c] as number) + (image.data[i * 3 + c] as number);
      }
    }
  }
  const out = new Uint8Array(image.data);
  const top = levels.at(-1) as Level;
  for (let c = 0; c < 3; c++) {
    let f = new Float32Array([(sums[c] as number) / 255 / (fCount + 1e-5)]);
    let b = new Float32Array([(sums[3 + c] as number) / 255 / (bCount + 1e-5)]);
    for (const level of levels) {
      const small = level.w <= options.smallSize && level.h <= options.smallSize;
      const iterations = small ? options.smallIterations : options.bigIterations;
      const img = new Float32Array(level.source.length);
      for (let k = 0; k < img.length; k++) {
        img[k] = (image.data[(level.source[k] as number) * 3 + c] as number) / 255;
      }
      const nf = new Float32Array(level.from.length);
      const nb = new Float32Array(level.from.length);
      for (let k = 0; k < nf.length; k++) {
        const q = level.from[k] as number;
        nf[k] = f[q] as number;
        nb[k] = b[q] as number;
      }
      f = nf;
      b = nb;
      for (let it = 0; it < iterations; it++) sweep(img, f, b, level, options);
    }
    for (let k = 0; k < top.swept; k++) {
      const p = top.pixel[k] as number;
      out[p * 3 + c] = Math.round((f[k] as number) * 255);
    }
  }
  return out;
}

/**
 * One level, stored compactly over its `pixel` list (every pixel on dense levels). Entries
 * 0 .. swept-1 are updated, in raster order; the rest only carry values to the next level.
 */
interface Level {
  readonly w: number;
  readonly h: number;
  /** Level pixel index of each entry. */
  readonly pixel: Int32Array;
  /** Number of leading entries that are swept. */
  readonly swept: number;
  /** 1 where the entry only resets its visible layer to the image (alpha 0 or 1 all around). */
  readonly ring: Uint8Array;
  readonly alpha: Float32Array;
  /** Full-resolution pixel each entry samples its colour from. */
  readonly source: Int32Array;
  /** Entry of the previous level each entry's starting F and B come from. */
  readonly from: Int32Array;
  /** Entries of the left, right, upper and lower neighbours (clamped), 4 per swept entry. */
  readonly neighbours: Int32Array;
}

function planLevels(
  image: RgbImage,
  alpha: Float32Array,
  sizes: [number, number][],
  options: MlOptions,
): Level[] {
  const { width, height } = image;
  // Top-down: which pixels each restricted level needs (swept ones first, then carried ones).
  const wanted: (Int32Array | undefined)[] = new Array(sizes.length).fill(undefined);
  const sweptCount: number[] = new Array(sizes.length).fill(0);
  const rings: (Uint8Array | undefined)[] = new Array(sizes.length).fill(undefined);
  for (let l = sizes.length - 1; l >= 0; l--) {
    const [w, h] = sizes[l] as [number, number];
    if (w * h <= options.restrictAbove) break;
    const a = resizePlane(alpha, width, height, w, h);
    const states = bandStates(a, w, h);
    const next = wanted[l + 1];
    if (next) {
      const [nw, nh] = sizes[l + 1] as [number, number];
      const xi = nearestIndex(nw, w);
      const yi = nearestIndex(nh, h);
      for (const q of next) {
        const y = (q / nw) | 0;
        const p = (yi[y] as number) * w + (xi[q - y * nw] as number);
        if (states[p] === SKIP) states[p] = CARRIED;
      }
    }
    let swept = 0;
    let carried = 0;
    for (const v of states) {
      if (v === ACTIVE || v === RING) swept++;
      else if (v === CARRIED) carried++;
    }
    const list = new Int32Array(swept + carried);
    const ring = new Uint8Array(swept);
    let k = 0;
    let j = swept;
    for (let p = 0; p < states.length; p++) {
      const v = states[p];
      if (v === ACTIVE || v === RING) {
        ring[k] = v === RING ? 1 : 0;
        list[k++] = p;
      } else if (v === CARRIED) list[j++] = p;
    }
    wanted[l] = list;
    sweptCount[l] = swept;
    rings[l] = ring;
  }
  // Bottom-up: compact arrays, sources and links to the previous level.
  const levels: Level[] = [];
  let prevMap: Int32Array | undefined;
  let prevW = 1;
  let prevH = 1;
  for (let l = 0; l < sizes.length; l++) {
    const [w, h] = sizes[l] as [number, number];
    const list = wanted[l];
    let pixel = list;
    if (!pixel) {
      pixel = new Int32Array(w * h);
      for (let i = 0; i < pixel.length; i++) pixel[i] = i;
    }
    const swept = list ? (sweptCount[l] as number) : w * h;
    const n = pixel.length;
    const xi = nearestIndex(w, width);
    const yi = nearestIndex(h, height);
    const pxi = nearestIndex(w, prevW);
    const pyi = nearestIndex(h, prevH);
    const source = new Int32Array(n);
    const from = new Int32Array(n);
    const levelAlpha = new Float32Array(n);
    const map = list ? new Int32Array(w * h).fill(-1) : undefined;
    for (let k = 0; k < n; k++) {
      const p = pixel[k] as number;
      const y = (p / w) | 0;
      const x = p - y * w;
      const s = (yi[y] as number) * width + (xi[x] as number);
      source[k] = s;
      levelAlpha[k] = alpha[s] as number;
      const q = (pyi[y] as number) * prevW + (pxi[x] as number);
      from[k] = prevMap ? (prevMap[q] as number) : q;
      if (map) map[p] = k;
    }
    const neighbours = new Int32Array(swept * 4);
    const ring = rings[l] ?? new Uint8Array(swept);
    for (let k = 0; k < swept; k++) {
      const p = pixel[k] as number;
      const y = (p / w) | 0;
      const x = p - y * w;
      const left = x > 0 ? p - 1 : p;
      const right = x < w - 1 ? p + 1 : p;
      const up = y > 0 ? p - w : p;
      const down = y < h - 1 ? p + w : p;
      neighbours[k * 4] = map ? (map[left] as number) : left;
      neighbours[k * 4 + 1] = map ? (map[right] as number) : right;
      neighbours[k * 4 + 2] = map ? (map[up] as number) : up;
      neighbours[k * 4 + 3] = map ? (map[down] as number) : down;
    }
    levels.push({ w, h, pixel, swept, ring, alpha: levelAlpha, source, from, neighbours });
    prevMap = map;
    prevW = w;
    prevH = h;
  }
  return levels;
}

function sweep(
  img: Float32Array,
  f: Float32Array,
  b: Float32Array,
  level: Level,
  o: MlOptions,
): void {
  const { alpha, ring, neighbours, swept } = level;
  const eps = o.regularization;
  const omega = o.gradientWeight;
  for (let k = 0; k < swept; k++) {
    const a0 = alpha[k] as number;
    if (ring[k] === 1) {
      // Alpha is 0 or 1 all around: the exact update gives F (alpha 1) or B (alpha 0) within
      // 4 * regularisation of the pixel's own colour, and the other layer is invisible.
      if (a0 === 1) f[k] = img[k] as number;
      else b[k] = img[k] as number;
      continue;
    }
    const n0 = neighbours[k * 4] as number;
    const n1 = neighbours[k * 4 + 1] as number;
    const n2 = neighbours[k * 4 + 2] as number;
    const n3 = neighbours[k * 4 + 3] as number;
    const d0 = eps + omega * Math.abs(a0 - (alpha[n0] as number));
    const d1 = eps + omega * Math.abs(a0 - (alpha[n1] as number));
    const d2 = eps + omega * Math.abs(a0 - (alpha[n2] as number));
    const d3 = eps + omega * Math.abs(a0 - (alpha[n3] as number));
    const s = d0 + d1 + d2 + d3;
    const fs =
      d0 * (f[n0] as number) +
      d1 * (f[n1] as number) +
      d2 * (f[n2] as number) +
      d3 * (f[n3] as number);
    const bs =
      d0 * (b[n0] as number) +
      d1 * (b[n1] as number) +
      d2 * (b[n2] as number) +
      d3 * (b[n3] as number);
    const a1 = 1 - a0;
    const m00 = a0 * a0 + s;
    const m01 = a0 * a1;
    const m11 = a1 * a1 + s;
    const v = img[k] as number;
    const r0 = a0 * v + fs;
    const r1 = a1 * v + bs;
    const inv = 1 / (m00 * m11 - m01 * m01);
    const fv = (m11 * r0 - m01 * r1) * inv;
    const bv = (m00 * r1 - m01 * r0) * inv;
    f[k] = fv < 0 ? 0 : Math.min(fv, 1);
    b[k] = bv < 0 ? 0 : Math.min(bv, 1);
  }
}

const SKIP = 0;
const RING = 1;
const ACTIVE = 2;
/** Not swept, but sampled by the next level. */
const CARRIED = 3;

/** How far from an alpha transition the full update still runs, in pixels of the level. */
const BAND_RADIUS = 3;

/**
 * Per pixel of a level: ACTIVE within BAND_RADIUS (Chebyshev) of a pixel whose alpha is soft or
 * differs from a 4-neighbour's, RING one pixel further (its colour layer is reset to the image,
 * which is what the full update converges to there), SKIP elsewhere (nothing reads it before
 * the next level overwrites it).
 */
function bandStates(alpha: Float32Array, w: number, h: number): Uint8Array {
  // Chebyshev distance to the nearest seed, capped at BAND_RADIUS + 2: rows, then columns.
  const cap = BAND_RADIUS + 2;
  const rowDist = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let last = -cap;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      const a = alpha[p] as number;
      const edge =
        (a > 0 && a < 1) ||
        (x > 0 && alpha[p - 1] !== a) ||
        (x < w - 1 && alpha[p + 1] !== a) ||
        (y > 0 && alpha[p - w] !== a) ||
        (y < h - 1 && alpha[p + w] !== a);
      if (edge) last = x;
      rowDist[p] = Math.min(cap, x - last);
    }
    last = w + cap;
    for (let x = w - 1; x >= 0; x--) {
      const p = row + x;
      if (rowDist[p] === 0) last = x;
      rowDist[p] = Math.min(rowDist[p] as number, last - x, cap);
    }
  }
  const states = new Uint8Array(w * h);
  const window = new Uint8Array(h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) window[y] = rowDist[y * w + x] as number;
    for (let y = 0; y < h; y++) {
      let d = cap;
      const lo = Math.max(0, y - BAND_RADIUS - 1);
      const hi = Math.min(h - 1, y + BAND_RADIUS + 1);
      for (let yy = lo; yy <= hi; yy++) {
        const dd = Math.max(window[yy] as number, Math.abs(yy - y));
        if (dd < d) d = dd;
      }
      states[y * w + x] = d <= BAND_RADIUS ? ACTIVE : d === BAND_RADIUS + 1 ? RING : SKIP;
    }
  }
  return states;
}
