import type { UnknownSet } from './unknown-set.ts';

/**
 * Read access to a full-size alpha (0-1) for the foreground estimator, which samples it per row
 * and at scattered pixels, so that a solved matte need not be spread into an image-sized plane.
 */
export interface AlphaSource {
  readonly width: number;
  readonly height: number;
  /** Alpha of pixel p (row-major index). */
  at(p: number): number;
  /** into[i] = alpha at (xs[i], y), for xs non-decreasing. */
  row(y: number, xs: Int32Array, into: Float32Array): void;
}

/** An alpha plane that already exists (the pipeline upscales it, so it keeps one). */
export class PlaneAlpha implements AlphaSource {
  readonly width: number;
  readonly height: number;
  private readonly plane: Float32Array;

  constructor(plane: Float32Array, width: number, height: number) {
    this.plane = plane;
    this.width = width;
    this.height = height;
  }

  at(p: number): number {
    return this.plane[p] as number;
  }

  row(y: number, xs: Int32Array, into: Float32Array): void {
    const at = y * this.width;
    for (let i = 0; i < xs.length; i++) into[i] = this.plane[at + (xs[i] as number)] as number;
  }
}

/**
 * A solved matte held as the trimap plus the unknown pixels' values: the same numbers as
 * `fullAlpha` (values rounded to single precision, known pixels 0 or 1) without the 4 bytes per
 * image pixel.
 */
export class BandAlpha implements AlphaSource {
  readonly width: number;
  readonly height: number;
  private readonly trimap: Uint8Array;
  private readonly unknown: UnknownSet;
  private readonly values: Float64Array;

  constructor(trimap: Uint8Array, unknown: UnknownSet, values: Float64Array) {
    this.trimap = trimap;
    this.unknown = unknown;
    this.values = values;
    this.width = unknown.width;
    this.height = unknown.height;
  }

  at(p: number): number {
    const y = (p / this.width) | 0;
    const x = p - y * this.width;
    const xs = this.unknown.xs;
    let lo = this.unknown.rowStart[y] as number;
    let hi = (this.unknown.rowStart[y + 1] as number) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = xs[mid] as number;
      if (v === x) return Math.fround(this.values[mid] as number);
      if (v < x) lo = mid + 1;
      else hi = mid - 1;
    }
    return (this.trimap[p] as number) >= 230 ? 1 : 0;
  }

  row(y: number, xs: Int32Array, into: Float32Array): void {
    const ux = this.unknown.xs;
    let k = this.unknown.rowStart[y] as number;
    const end = this.unknown.rowStart[y + 1] as number;
    const base = y * this.width;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i] as number;
      while (k < end && (ux[k] as number) < x) k++;
      into[i] =
        k < end && ux[k] === x
          ? (this.values[k] as number)
          : (this.trimap[base + x] as number) >= 230
            ? 1
            : 0;
    }
  }
}
