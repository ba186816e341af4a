import type { Mask } from '../../image/raster.ts';

export interface IslandRule {
  /** Foreground pieces smaller than this fraction of the largest piece are removed. */
  readonly minIslandFraction: number;
  /**
   * Enclosed holes smaller than this fraction of the subject's area are filled; larger ones (the
   * gap between an arm and the body) are kept.
   */
  readonly maxHoleFraction: number;
}

const SOLID = 128;

/**
 * Removes specks and fills pinholes by size relative to the subject, never by a fixed pixel
 * count, so the rule means the same at any resolution. Foreground is alpha >= 128; pieces are
 * 8-connected, holes 4-connected (the usual pairing, so a diagonal gap neither joins two pieces
 * nor opens a hole to the outside). A hole touching the image border is background, not a hole.
 * Returns a new mask; soft pixels outside the changed pieces keep their values.
 */
export function cleanIslands(mask: Mask, rule: IslandRule): Mask {
  const { width, height } = mask;
  const data = Uint8Array.from(mask.data);
  const pieces = label(data, width, height, (v) => v >= SOLID, true);
  if (pieces.sizes.length === 0) return { data, width, height };
  let largest = 0;
  let subjectArea = 0;
  for (const s of pieces.sizes) {
    largest = Math.max(largest, s);
    subjectArea += s;
  }
  const minIsland = rule.minIslandFraction * largest;
  for (let i = 0; i < data.length; i++) {
    const id = pieces.labels[i] ?? -1;
    if (id >= 0 && (pieces.sizes[id] ?? 0) < minIsland) {
      subjectArea -= 1;
      data[i] = 0;
    }
  }
  const holes = label(data, width, height, (v) => v < SOLID, false);
  const maxHole = rule.maxHoleFraction * subjectArea;
  for (let i = 0; i < data.length; i++) {
    const id = holes.labels[i] ?? -1;
    if (id >= 0 && !holes.touchesBorder[id] && (holes.sizes[id] ?? 0) < maxHole) data[i] = 255;
  }
  return { data, width, height };
}

interface Labels {
  /** Piece id per pixel, -1 where the predicate is false. */
  readonly labels: Int32Array;
  readonly sizes: number[];
  readonly touchesBorder: boolean[];
}

/** Connected pieces of the pixels where `inside` holds, by flood fill with an explicit stack. */
function label(
  data: Uint8Array,
  width: number,
  height: number,
  inside: (v: number) => boolean,
  eight: boolean,
): Labels {
  const labels = new Int32Array(data.length).fill(-1);
  const sizes: number[] = [];
  const touchesBorder: boolean[] = [];
  const stack = new Int32Array(data.length);
  for (let start = 0; start < data.length; start++) {
    if (labels[start] !== -1 || !inside(data[start] ?? 0)) continue;
    const id = sizes.length;
    let size = 0;
    let border = false;
    let top = 0;
    stack[top++] = start;
    labels[start] = id;
    while (top > 0) {
      const i = stack[--top] ?? 0;
      size++;
      const x = i % width;
      const y = (i - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border = true;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (labels[j] !== -1 || !inside(data[j] ?? 0)) continue;
          labels[j] = id;
          stack[top++] = j;
        }
      }
    }
    sizes.push(size);
    touchesBorder.push(border);
  }
  return { labels, sizes, touchesBorder };
}
