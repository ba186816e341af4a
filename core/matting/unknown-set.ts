/**
 * The unknown pixels of a trimap in raster order, stored per row so that everything the solver
 * allocates grows with the unknown region rather than with the image.
 */
export interface UnknownSet {
  readonly width: number;
  readonly height: number;
  /** Unknown pixels of row y are indices rowStart[y] .. rowStart[y+1]-1. */
  readonly rowStart: Int32Array;
  /** x coordinate of each unknown pixel, increasing within a row. */
  readonly xs: Int32Array;
  readonly count: number;
}

/** Pixels whose trimap value is neither certain background nor certain foreground. */
export function collectUnknown(
  trimap: Uint8Array,
  width: number,
  height: number,
  isUnknown: (value: number) => boolean,
): UnknownSet {
  // Which byte values are unknown, so the per-pixel test is a table lookup, not a call.
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = isUnknown(v) ? 1 : 0;
  let count = 0;
  for (let i = 0; i < trimap.length; i++) count += table[trimap[i] as number] as number;
  const xs = new Int32Array(count);
  const rowStart = new Int32Array(height + 1);
  let k = 0;
  for (let y = 0; y < height; y++) {
    rowStart[y] = k;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (table[trimap[row + x] as number] === 1) xs[k++] = x;
    }
  }
  rowStart[height] = k;
  return { width, height, rowStart, xs, count };
}

/**
 * Walks one row's unknown pixels with non-decreasing queries. `seek(x)` moves to the first
 * unknown pixel with x' >= x; `at(x)` then answers the index of the pixel at x (x >= the last
 * sought x) or -1, without moving.
 */
export class RowCursor {
  private readonly set: UnknownSet;
  private pos = 0;
  private end = 0;

  constructor(set: UnknownSet) {
    this.set = set;
  }

  reset(y: number): void {
    if (y < 0 || y >= this.set.height) {
      this.pos = 0;
      this.end = 0;
      return;
    }
    this.pos = this.set.rowStart[y] as number;
    this.end = this.set.rowStart[y + 1] as number;
  }

  seek(x: number): void {
    const xs = this.set.xs;
    while (this.pos < this.end && (xs[this.pos] as number) < x) this.pos++;
  }

  at(x: number): number {
    const xs = this.set.xs;
    for (let p = this.pos; p < this.end; p++) {
      const px = xs[p] as number;
      if (px === x) return p;
      if (px > x) return -1;
    }
    return -1;
  }
}
