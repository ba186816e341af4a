import sharp from 'sharp';
import type { Mask } from '../image/raster.ts';

/**
 * `mask_shift` and `mask_feather`: the final alpha grown or shrunk by whole pixels, then given
 * a soft edge. Both work on soft alpha (grey morphology and a blur), so a matted edge keeps its
 * gradations.
 */

/**
 * Grows (n > 0) or shrinks (n < 0) the subject by |n| pixels: a grey dilation or erosion with a
 * disc of radius |n|, so the edge moves by the same Euclidean distance in every direction and
 * corners stay round. Outside the image counts as background for growing and as foreground for
 * shrinking, so a subject touching the border is not eaten from the border.
 */
export function shiftMask(mask: Mask, n: number): Mask {
  if (n === 0) return mask;
  if (n > 0) return { ...mask, data: dilateDisc(mask.data, mask.width, mask.height, n) };
  const inverted = invert(mask.data);
  return { ...mask, data: invert(dilateDisc(inverted, mask.width, mask.height, -n)) };
}

function invert(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = 255 - (data[i] ?? 0);
  return out;
}

/** Side of the tiles whose neighbourhood decides whether any work is needed there. */
const TILE = 32;

/**
 * Max over a disc of radius r, outside the image counting as 0. The disc is a stack of
 * horizontal chords: row y+dy contributes its running max over the chord's half-width w(dy).
 * The running max is widened one pixel at a time (H[w+1](x) = max of H[w] at x-1, x, x+1), and
 * after each width the rows whose chord has that width are merged in: O(r) per pixel, three
 * images of memory whatever r is.
 *
 * A mask is mostly flat (all subject or all background), and where everything within r of a
 * tile is one value the result there is that value: only tiles near an edge are computed, the
 * running maxima over those tiles and a margin of whole tiles of at least r around them (a
 * value read from outside that margin is stale, and staleness travels one pixel per widening,
 * so it never reaches the tiles computed).
 */
function dilateDisc(data: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const tiles = tileGrid(data, width, height, Math.ceil(r / TILE));
  const out = new Uint8Array(data.length);
  for (let t = 0; t < tiles.count; t++) {
    if (!tiles.edge[t]) fillTile(out, tiles, t, tiles.flatValue[t] ?? 0);
  }
  const rowsByHalfWidth: number[][] = Array.from({ length: r + 1 }, () => []);
  for (let dy = -r; dy <= r; dy++) {
    rowsByHalfWidth[Math.floor(Math.sqrt(r * r - dy * dy) + 1e-9)]?.push(dy);
  }
  let current = Uint8Array.from(data);
  let next = new Uint8Array(data.length);
  for (let w = 0; w <= r; w++) {
    if (w > 0) {
      widenByOne(current, next, tiles);
      [current, next] = [next, current];
    }
    for (const dy of rowsByHalfWidth[w] ?? []) mergeShiftedRows(current, out, tiles, dy);
  }
  return out;
}

interface TileGrid {
  readonly width: number;
  readonly height: number;
  readonly across: number;
  readonly count: number;
  /** Tiles with more than one value within the margin: computed. */
  readonly edge: Uint8Array;
  /** Tiles where the running maxima are kept: the edge tiles and `margin` tiles around them. */
  readonly kept: Uint8Array;
  /** The one value around a tile that is not an edge tile. */
  readonly flatValue: Uint8Array;
}

function tileGrid(data: Uint8Array, width: number, height: number, margin: number): TileGrid {
  const across = Math.ceil(width / TILE);
  const down = Math.ceil(height / TILE);
  const count = across * down;
  const min = new Uint8Array(count).fill(255);
  const max = new Uint8Array(count);
  for (let y = 0; y < height; y++) {
    const tileRow = Math.floor(y / TILE) * across;
    for (let x = 0; x < width; x++) {
      const t = tileRow + Math.floor(x / TILE);
      const v = data[y * width + x] ?? 0;
      if (v < (min[t] ?? 0)) min[t] = v;
      if (v > (max[t] ?? 0)) max[t] = v;
    }
  }
  const edge = new Uint8Array(count);
  const flatValue = new Uint8Array(count);
  for (let ty = 0; ty < down; ty++) {
    for (let tx = 0; tx < across; tx++) {
      let lo = 255;
      let hi = 0;
      for (let ny = Math.max(0, ty - margin); ny <= Math.min(down - 1, ty + margin); ny++) {
        for (let nx = Math.max(0, tx - margin); nx <= Math.min(across - 1, tx + margin); nx++) {
          lo = Math.min(lo, min[ny * across + nx] ?? 0);
          hi = Math.max(hi, max[ny * across + nx] ?? 0);
        }
      }
      edge[ty * across + tx] = lo === hi ? 0 : 1;
      flatValue[ty * across + tx] = hi;
    }
  }
  const kept = new Uint8Array(count);
  for (let ty = 0; ty < down; ty++) {
    for (let tx = 0; tx < across; tx++) {
      if (!edge[ty * across + tx]) continue;
      for (let ny = Math.max(0, ty - margin); ny <= Math.min(down - 1, ty + margin); ny++) {
        for (let nx = Math.max(0, tx - margin); nx <= Math.min(across - 1, tx + margin); nx++) {
          kept[ny * across + nx] = 1;
        }
      }
    }
  }
  return { width, height, across, count, edge, kept, flatValue };
}

function fillTile(out: Uint8Array, tiles: TileGrid, t: number, value: number): void {
  const x0 = (t % tiles.across) * TILE;
  const y0 = Math.floor(t / tiles.across) * TILE;
  const x1 = Math.min(tiles.width, x0 + TILE);
  for (let y = y0; y < Math.min(tiles.height, y0 + TILE); y++) {
    out.fill(value, y * tiles.width + x0, y * tiles.width + x1);
  }
}

/** Calls `each(y, x0, x1)` for every row span of the tiles `which` marks. */
function forSpans(
  tiles: TileGrid,
  which: Uint8Array,
  each: (y: number, x0: number, x1: number) => void,
): void {
  for (let t = 0; t < tiles.count; t++) {
    if (!which[t]) continue;
    const x0 = (t % tiles.across) * TILE;
    const y0 = Math.floor(t / tiles.across) * TILE;
    const x1 = Math.min(tiles.width, x0 + TILE);
    for (let y = y0; y < Math.min(tiles.height, y0 + TILE); y++) each(y, x0, x1);
  }
}

/** dst(x) = max of src at x-1, x, x+1 within the row, over the kept tiles. */
function widenByOne(src: Uint8Array, dst: Uint8Array, tiles: TileGrid): void {
  const { width } = tiles;
  forSpans(tiles, tiles.kept, (y, x0, x1) => {
    const row = y * width;
    const last = row + width - 1;
    for (let i = row + x0, end = row + x1; i < end; i++) {
      let v = src[i] ?? 0;
      if (i > row) {
        const left = src[i - 1] ?? 0;
        if (left > v) v = left;
      }
      if (i < last) {
        const right = src[i + 1] ?? 0;
        if (right > v) v = right;
      }
      dst[i] = v;
    }
  });
}

/** out(y) = max(out(y), rows(y + dy)) over the edge tiles, where row y+dy is in the image. */
function mergeShiftedRows(rows: Uint8Array, out: Uint8Array, tiles: TileGrid, dy: number): void {
  const { width, height } = tiles;
  const shift = dy * width;
  forSpans(tiles, tiles.edge, (y, x0, x1) => {
    if (y + dy < 0 || y + dy >= height) return;
    for (let i = y * width + x0, end = y * width + x1; i < end; i++) {
      const v = rows[i + shift] ?? 0;
      if (v > (out[i] ?? 0)) out[i] = v;
    }
  });
}

/**
 * Softens the edge over about n pixels: a Gaussian blur of the alpha with sigma n/4, so the
 * ramp from 2% to 98% across a straight hard edge is n pixels wide, centred on the old edge.
 * libvips blurs (integer kernel, plenty for 8-bit alpha), so a 50-pixel feather on a large photo
 * stays fast.
 */
export async function featherMask(mask: Mask, n: number): Promise<Mask> {
  if (n === 0) return mask;
  const data = await sharp(mask.data, {
    raw: { width: mask.width, height: mask.height, channels: 1 },
  })
    .blur(Math.max(0.3, n / 4))
    .extractChannel(0)
    .raw()
    .toBuffer();
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: mask.width,
    height: mask.height,
  };
}
