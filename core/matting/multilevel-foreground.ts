import type { RgbImage } from '../image/raster.ts';
import { type AlphaSource, PlaneAlpha } from './alpha-source.ts';

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
   * (see `bandEntries`); Infinity reproduces pymatting's every-pixel sweeps.
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
  alphaIn: Float32Array | AlphaSource,
  options: MlOptions = ML_DEFAULTS,
): Uint8Array {
  const { width, height } = image;
  const alpha = alphaIn instanceof Float32Array ? new PlaneAlpha(alphaIn, width, height) : alphaIn;
  const sizes = levelSizes(width, height);
  // One level's arrays at a time: each is built just before its sweeps and dropped after.
  const levels = planLevels(image, alpha, sizes, options);
  let fr = 0;
  let fg = 0;
  let fb = 0;
  let br = 0;
  let bg = 0;
  let bb = 0;
  let fCount = 0;
  let bCount = 0;
  const px = image.data;
  const xs = Int32Array.from({ length: width }, (_, x) => x);
  const rowAlpha = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    alpha.row(y, xs, rowAlpha);
    for (let x = 0; x < width; x++) {
      const a = rowAlpha[x] as number;
      const i = y * width + x;
      if (a > 0.9) {
        fCount++;
        fr += px[i * 3] as number;
        fg += px[i * 3 + 1] as number;
        fb += px[i * 3 + 2] as number;
      } else if (a < 0.1) {
        bCount++;
        br += px[i * 3] as number;
        bg += px[i * 3 + 1] as number;
        bb += px[i * 3 + 2] as number;
      }
    }
  }
  const sums = [fr, fg, fb, br, bg, bb];
  const out = new Uint8Array(image.data);
  let top: Level | undefined;
  // The three channels share alpha, so one sweep updates all of them with the weights and the
  // 2x2 inverse computed once per pixel (same result as channel by channel: they never mix).
  let f = new Float32Array(3);
  let b = new Float32Array(3);
  for (let c = 0; c < 3; c++) {
    f[c] = (sums[c] as number) / 255 / (fCount + 1e-5);
    b[c] = (sums[3 + c] as number) / 255 / (bCount + 1e-5);
  }
  const inv255 = 1 / 255;
  for (const level of levels) {
    const small = level.w <= options.smallSize && level.h <= options.smallSize;
    const iterations = small ? options.smallIterations : options.bigIterations;
    const n = level.source.length;
    const img = new Float32Array(n * 3);
    const nf = new Float32Array(n * 3);
    const nb = new Float32Array(n * 3);
    for (let k = 0; k < n; k++) {
      const s = (level.source[k] as number) * 3;
      const q = (level.from[k] as number) * 3;
      for (let c = 0; c < 3; c++) {
        img[k * 3 + c] = (image.data[s + c] as number) * inv255;
        nf[k * 3 + c] = f[q + c] as number;
        nb[k * 3 + c] = b[q + c] as number;
      }
    }
    f = nf;
    b = nb;
    for (let it = 0; it < iterations; it++) sweep(img, f, b, level, options);
    top = level;
  }
  if (!top) return out;
  for (let k = 0; k < top.swept; k++) {
    const p = top.pixel[k] as number;
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round((f[k * 3 + c] as number) * 255);
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

/**
 * The levels bottom-up, each built when asked for, so only the current one and its
 * predecessor's locator are held at a time.
 */
function* planLevels(
  image: RgbImage,
  alpha: AlphaSource,
  sizes: [number, number][],
  options: MlOptions,
): Generator<Level> {
  const { width, height } = image;
  // Top-down: which pixels each restricted level needs (swept ones first, then carried ones).
  const wanted: (Int32Array | undefined)[] = new Array(sizes.length).fill(undefined);
  const sweptCount: number[] = new Array(sizes.length).fill(0);
  const rings: (Uint8Array | undefined)[] = new Array(sizes.length).fill(undefined);
  for (let l = sizes.length - 1; l >= 0; l--) {
    const [w, h] = sizes[l] as [number, number];
    if (w * h <= options.restrictAbove) break;
    const band = bandEntries(alpha, nearestIndex(w, width), nearestIndex(h, height));
    const swept = band.pixel.length;
    let list = band.pixel;
    const next = wanted[l + 1];
    if (next) {
      // Pixels the next level samples that the band does not cover are carried along.
      const [nw, nh] = sizes[l + 1] as [number, number];
      const xi = nearestIndex(nw, w);
      const yi = nearestIndex(nh, h);
      const locate = locator(band.pixel, swept, w, h);
      const extra = new Int32Array(next.length);
      let m = 0;
      for (let i = 0; i < next.length; i++) {
        const q = next[i] as number;
        const y = (q / nw) | 0;
        const p = (yi[y] as number) * w + (xi[q - y * nw] as number);
        if (locate(p) < 0) extra[m++] = p;
      }
      const sorted = extra.subarray(0, m).sort();
      list = new Int32Array(swept + m);
      list.set(band.pixel);
      let j = swept;
      for (let i = 0; i < m; i++) {
        const p = sorted[i] as number;
        if (i === 0 || p !== sorted[i - 1]) list[j++] = p;
      }
      list = list.subarray(0, j);
    }
    const ring = band.ring;
    wanted[l] = list;
    sweptCount[l] = swept;
    rings[l] = ring;
  }
  // Bottom-up: compact arrays, sources and links to the previous level.
  let prevLocate: ((p: number) => number) | undefined;
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
    if (!list) {
      // Dense: entry k is level pixel k, so whole rows are sampled at once.
      for (let y = 0; y < h; y++) alpha.row(yi[y] as number, xi, levelAlpha.subarray(y * w));
    }
    for (let k = 0; k < n; k++) {
      const p = pixel[k] as number;
      const y = (p / w) | 0;
      const x = p - y * w;
      const s = (yi[y] as number) * width + (xi[x] as number);
      source[k] = s;
      if (list) levelAlpha[k] = alpha.at(s);
      const q = (pyi[y] as number) * prevW + (pxi[x] as number);
      from[k] = prevLocate ? prevLocate(q) : q;
    }
    const locate = list ? locator(pixel, swept, w, h) : undefined;
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
      if (!locate) {
        neighbours[k * 4] = left;
        neighbours[k * 4 + 1] = right;
        neighbours[k * 4 + 2] = up;
        neighbours[k * 4 + 3] = down;
      } else if (ring[k] === 0) {
        // Ring entries never read their neighbours, so only the others look them up.
        neighbours[k * 4] = pixel[k - 1] === left ? k - 1 : locate(left);
        neighbours[k * 4 + 1] = pixel[k + 1] === right ? k + 1 : locate(right);
        neighbours[k * 4 + 2] = locate(up);
        neighbours[k * 4 + 3] = locate(down);
      }
    }
    yield { w, h, pixel, swept, ring, alpha: levelAlpha, source, from, neighbours };
    prevLocate = locate;
    prevW = w;
    prevH = h;
  }
}

/**
 * Entry of a level pixel in a compact level (-1 if absent), without an image-sized map: the
 * swept and the carried entries are each in raster order, so a binary search within the
 * pixel's row of each part finds it.
 */
function locator(pixel: Int32Array, swept: number, w: number, h: number): (p: number) => number {
  const rowOf = (from: number, to: number): Int32Array => {
    const start = new Int32Array(h + 1);
    let k = from;
    for (let y = 0; y < h; y++) {
      start[y] = k;
      const end = (y + 1) * w;
      while (k < to && (pixel[k] as number) < end) k++;
    }
    start[h] = to;
    return start;
  };
  const sweptRows = rowOf(0, swept);
  const carriedRows = rowOf(swept, pixel.length);
  const search = (rows: Int32Array, y: number, p: number): number => {
    let lo = rows[y] as number;
    let hi = (rows[y + 1] as number) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = pixel[mid] as number;
      if (v === p) return mid;
      if (v < p) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  return (p) => {
    const y = (p / w) | 0;
    const k = search(sweptRows, y, p);
    return k >= 0 ? k : search(carriedRows, y, p);
  };
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
      const layer = a0 === 1 ? f : b;
      layer[k * 3] = img[k * 3] as number;
      layer[k * 3 + 1] = img[k * 3 + 1] as number;
      layer[k * 3 + 2] = img[k * 3 + 2] as number;
      continue;
    }
    const i0 = neighbours[k * 4] as number;
    const n0 = i0 * 3;
    const i1 = neighbours[k * 4 + 1] as number;
    const n1 = i1 * 3;
    const i2 = neighbours[k * 4 + 2] as number;
    const n2 = i2 * 3;
    const i3 = neighbours[k * 4 + 3] as number;
    const n3 = i3 * 3;
    const d0 = eps + omega * Math.abs(a0 - (alpha[i0] as number));
    const d1 = eps + omega * Math.abs(a0 - (alpha[i1] as number));
    const d2 = eps + omega * Math.abs(a0 - (alpha[i2] as number));
    const d3 = eps + omega * Math.abs(a0 - (alpha[i3] as number));
    const s = d0 + d1 + d2 + d3;
    const a1 = 1 - a0;
    const m00 = a0 * a0 + s;
    const m01 = a0 * a1;
    const m11 = a1 * a1 + s;
    const inv = 1 / (m00 * m11 - m01 * m01);
    for (let c = 0; c < 3; c++) {
      const fs =
        d0 * (f[n0 + c] as number) +
        d1 * (f[n1 + c] as number) +
        d2 * (f[n2 + c] as number) +
        d3 * (f[n3 + c] as number);
      const bs =
        d0 * (b[n0 + c] as number) +
        d1 * (b[n1 + c] as number) +
        d2 * (b[n2 + c] as number) +
        d3 * (b[n3 + c] as number);
      const v = img[k * 3 + c] as number;
      const r0 = a0 * v + fs;
      const r1 = a1 * v + bs;
      const fv = (m11 * r0 - m01 * r1) * inv;
      const bv = (m00 * r1 - m01 * r0) * inv;
      f[k * 3 + c] = fv < 0 ? 0 : Math.min(fv, 1);
      b[k * 3 + c] = bv < 0 ? 0 : Math.min(bv, 1);
    }
  }
}

const SKIP = 0;
const RING = 1;
const ACTIVE = 2;

/** How far from an alpha transition the full update still runs, in pixels of the level. */
const BAND_RADIUS = 3;

/**
 * The pixels of a level within BAND_RADIUS + 1 (Chebyshev) of a pixel whose alpha is soft or
 * differs from a 4-neighbour's, in raster order; `ring` is 1 for those exactly BAND_RADIUS + 1
 * away (their colour layer is reset to the image, which is what the full update converges to
 * there), 0 for the ACTIVE ones. Pixels further out are not listed: nothing reads them before
 * the next level overwrites them. The level's alpha is sampled from the full-size alpha through
 * the nearest-neighbour index maps `xi`, `yi`, and only 2 * BAND_RADIUS + 3 rows of distances
 * are held, so nothing image-sized is allocated.
 */
function bandEntries(
  alpha: AlphaSource,
  xi: Int32Array,
  yi: Int32Array,
): { pixel: Int32Array; ring: Uint8Array } {
  const w = xi.length;
  const h = yi.length;
  const cap = BAND_RADIUS + 2;
  const reach = BAND_RADIUS + 1;
  const slots = 2 * reach + 1;
  // Per held row: the horizontal distance to the nearest seed (capped), kept only between
  // xFrom and xTo (seeds +- cap; elsewhere it is the cap, which marks nothing).
  const rowDist = new Uint8Array(slots * w);
  const xFrom = new Int32Array(slots);
  const xTo = new Int32Array(slots);
  // The level's alpha rows y-1, y, y+1, sampled once each into rolling row buffers.
  const sampled: Float32Array[] = [new Float32Array(w), new Float32Array(w), new Float32Array(w)];
  const sample = (y: number, into: Float32Array): void => alpha.row(yi[y] as number, xi, into);
  if (h > 0) sample(0, sampled[1] as Float32Array);
  if (h > 1) sample(1, sampled[2] as Float32Array);
  const edge = new Uint8Array(w);
  let sampledY = 0;
  const fillRow = (y: number): void => {
    while (sampledY < y) {
      // Rotate: the current row becomes the upper one, and so on.
      const spare = sampled[0] as Float32Array;
      sampled[0] = sampled[1] as Float32Array;
      sampled[1] = sampled[2] as Float32Array;
      sampled[2] = spare;
      sampledY++;
      if (sampledY + 1 < h) sample(sampledY + 1, spare);
    }
    const slot = y % slots;
    const up = y > 0 ? (sampled[0] as Float32Array) : undefined;
    const cur = sampled[1] as Float32Array;
    const down = y < h - 1 ? (sampled[2] as Float32Array) : undefined;
    let first = -1;
    let last = -1;
    for (let x = 0; x < w; x++) {
      const a = cur[x] as number;
      const e =
        (a > 0 && a < 1) ||
        (x > 0 && cur[x - 1] !== a) ||
        (x < w - 1 && cur[x + 1] !== a) ||
        (up !== undefined && up[x] !== a) ||
        (down !== undefined && down[x] !== a);
      edge[x] = e ? 1 : 0;
      if (e) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) {
      xFrom[slot] = 0;
      xTo[slot] = -1;
      return;
    }
    const from = Math.max(0, first - cap);
    const to = Math.min(w - 1, last + cap);
    xFrom[slot] = from;
    xTo[slot] = to;
    const base = slot * w;
    let seed = -cap;
    for (let x = from; x <= to; x++) {
      if (edge[x] === 1) seed = x;
      rowDist[base + x] = Math.min(cap, x - seed);
    }
    seed = w + cap;
    for (let x = to; x >= from; x--) {
      if (rowDist[base + x] === 0) seed = x;
      rowDist[base + x] = Math.min(rowDist[base + x] as number, seed - x, cap);
    }
  };
  let pixel = new Int32Array(1024);
  let ring = new Uint8Array(1024);
  let count = 0;
  const state = new Uint8Array(w);
  for (let y = 0; y < Math.min(h, reach); y++) fillRow(y);
  for (let y = 0; y < h; y++) {
    if (y + reach < h) fillRow(y + reach);
    const lo = Math.max(0, y - reach);
    const hi = Math.min(h - 1, y + reach);
    let minX = w;
    let maxX = -1;
    // Chebyshev distance <= r iff a row within r above or below has a row distance <= r.
    for (let yy = lo; yy <= hi; yy++) {
      const slot = yy % slots;
      const from = xFrom[slot] as number;
      const to = xTo[slot] as number;
      if (to < from) continue;
      if (from < minX) minX = from;
      if (to > maxX) maxX = to;
      const dy = Math.abs(yy - y);
      const base = slot * w;
      for (let x = from; x <= to; x++) {
        const rd = rowDist[base + x] as number;
        const d = Math.max(rd, dy);
        if (d <= BAND_RADIUS) state[x] = ACTIVE;
        else if (d === reach && state[x] === SKIP) state[x] = RING;
      }
    }
    for (let x = minX; x <= maxX; x++) {
      const v = state[x] as number;
      if (v === SKIP) continue;
      state[x] = SKIP;
      if (count === pixel.length) {
        const grownPixel = new Int32Array(count * 2);
        grownPixel.set(pixel);
        pixel = grownPixel;
        const grownRing = new Uint8Array(count * 2);
        grownRing.set(ring);
        ring = grownRing;
      }
      pixel[count] = y * w + x;
      ring[count++] = v === RING ? 1 : 0;
    }
  }
  return { pixel: pixel.slice(0, count), ring: ring.slice(0, count) };
}
