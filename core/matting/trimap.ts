import type { Mask } from '../image/raster.ts';

/** Trimap values, as pymatting reads them (0 background, 255 foreground, anything else unknown). */
export const TRIMAP_BACKGROUND = 0;
export const TRIMAP_FOREGROUND = 255;
export const TRIMAP_UNKNOWN = 128;

export interface TrimapThresholds {
  /** Mask values strictly above this are certain foreground. */
  readonly foregroundThreshold: number;
  /** Mask values strictly below this are certain background. */
  readonly backgroundThreshold: number;
  /**
   * Side k of the square structuring element. 0 means the 3x3 cross, which is what the
   * references get from scipy with `structure=None`; the request parser never passes 0, but
   * the case is kept here so parity with rembg can be tested.
   */
  readonly erodeSize: number;
}

/**
 * Builds the trimap the references build from a soft mask: strict thresholds, one binary
 * erosion of each certain set (outside the image counts as not-foreground and as background),
 * background written last so it wins where both survive (only possible when fg < bg).
 */
export function buildTrimap(mask: Mask, t: TrimapThresholds): Uint8Array {
  const { width, height, data } = mask;
  const n = width * height;
  const isFg = new Uint8Array(n);
  const isBg = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = data[i] as number;
    isFg[i] = v > t.foregroundThreshold ? 1 : 0;
    isBg[i] = v < t.backgroundThreshold ? 1 : 0;
  }
  const erode = t.erodeSize === 0 ? erodeCross : erodeSquare;
  const fg = erode(isFg, width, height, t.erodeSize, 0);
  const bg = erode(isBg, width, height, t.erodeSize, 1);
  const trimap = new Uint8Array(n).fill(TRIMAP_UNKNOWN);
  for (let i = 0; i < n; i++) {
    if (fg[i] === 1) trimap[i] = TRIMAP_FOREGROUND;
    if (bg[i] === 1) trimap[i] = TRIMAP_BACKGROUND;
  }
  return trimap;
}

/**
 * Erosion by a k x k square, separable (rows then columns). scipy puts the origin of an
 * even-sized window at index k/2, so the window spans -floor(k/2) .. k-1-floor(k/2).
 */
function erodeSquare(
  set: Uint8Array,
  width: number,
  height: number,
  k: number,
  border: 0 | 1,
): Uint8Array {
  const lo = Math.floor(k / 2);
  const hi = k - 1 - lo;
  const rows = new Uint8Array(set.length);
  const line = new Int32Array(Math.max(width, height) + 1);
  for (let y = 0; y < height; y++) {
    erodeLine(set, y * width, 1, width, lo, hi, border, line, rows);
  }
  const out = new Uint8Array(set.length);
  for (let x = 0; x < width; x++) {
    erodeLine(rows, x, width, height, lo, hi, border, line, out);
  }
  return out;
}

/** 1-D erosion along one line via a prefix count of misses, O(1) per pixel whatever k is. */
function erodeLine(
  src: Uint8Array,
  start: number,
  stride: number,
  length: number,
  lo: number,
  hi: number,
  border: 0 | 1,
  misses: Int32Array,
  dst: Uint8Array,
): void {
  misses[0] = 0;
  for (let i = 0; i < length; i++) {
    misses[i + 1] = (misses[i] as number) + (src[start + i * stride] === 1 ? 0 : 1);
  }
  for (let i = 0; i < length; i++) {
    const a = i - lo;
    const b = i + hi;
    const outside = a < 0 || b >= length;
    if (outside && border === 0) {
      dst[start + i * stride] = 0;
      continue;
    }
    const from = Math.max(a, 0);
    const to = Math.min(b, length - 1);
    const miss = (misses[to + 1] as number) - (misses[from] as number);
    dst[start + i * stride] = miss === 0 ? 1 : 0;
  }
}

/** Erosion by the 3x3 cross (4-connectivity). */
function erodeCross(
  set: Uint8Array,
  width: number,
  height: number,
  _k: number,
  border: 0 | 1,
): Uint8Array {
  const out = new Uint8Array(set.length);
  const at = (x: number, y: number): number =>
    x < 0 || y < 0 || x >= width || y >= height ? border : (set[y * width + x] as number);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const keep =
        at(x, y) === 1 &&
        at(x - 1, y) === 1 &&
        at(x + 1, y) === 1 &&
        at(x, y - 1) === 1 &&
        at(x, y + 1) === 1;
      out[y * width + x] = keep ? 1 : 0;
    }
  }
  return out;
}

/** Counts of each class, to detect the fallbacks before any heavy work. */
export function trimapCounts(trimap: Uint8Array): {
  foreground: number;
  background: number;
  unknown: number;
} {
  let foreground = 0;
  let background = 0;
  for (const v of trimap) {
    if (v === TRIMAP_FOREGROUND) foreground++;
    else if (v === TRIMAP_BACKGROUND) background++;
  }
  return { foreground, background, unknown: trimap.length - foreground - background };
}
