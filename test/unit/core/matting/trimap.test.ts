import { describe, expect, it } from 'vitest';
import type { Mask } from '../../../../core/image/raster.ts';
import { buildTrimap, trimapCounts } from '../../../../core/matting/trimap.ts';

function mask(rows: string[], on = 255, off = 0): Mask {
  const height = rows.length;
  const width = (rows[0] as string).length;
  const data = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) data[y * width + x] = row[x] === '#' ? on : off;
  });
  return { data, width, height };
}

/** '#' foreground (255), '.' background (0), '?' unknown (128). */
function render(trimap: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y < trimap.length / width; y++) {
    let row = '';
    for (let x = 0; x < width; x++) {
      const v = trimap[y * width + x];
      row += v === 255 ? '#' : v === 0 ? '.' : '?';
    }
    rows.push(row);
  }
  return rows;
}

const thresholds = { foregroundThreshold: 240, backgroundThreshold: 10 };

describe('buildTrimap', () => {
  it('with k = 1 only thresholds (strictly) and does not erode', () => {
    const m: Mask = {
      data: Uint8Array.from([0, 9, 10, 128, 240, 241, 255, 5, 250]),
      width: 9,
      height: 1,
    };
    const t = buildTrimap(m, { ...thresholds, erodeSize: 1 });
    expect(Array.from(t)).toEqual([0, 0, 128, 128, 128, 255, 255, 0, 255]);
  });

  it('erodes both sets with an odd k x k square centred on the pixel', () => {
    const m = mask([
      '.........',
      '.........',
      '..#####..',
      '..#####..',
      '..#####..',
      '..#####..',
      '..#####..',
      '.........',
      '.........',
    ]);
    const t = buildTrimap(m, { ...thresholds, erodeSize: 3 });
    expect(render(t, 9)).toEqual([
      '.........',
      '.???????.',
      '.???????.',
      '.??###??.',
      '.??###??.',
      '.??###??.',
      '.???????.',
      '.???????.',
      '.........',
    ]);
  });

  it('puts the origin of an even window at k/2, so it spans -k/2 .. k/2-1', () => {
    const m = mask(['......', '.####.', '.####.', '.####.', '.####.', '......']);
    const t = buildTrimap(m, { ...thresholds, erodeSize: 2 });
    expect(render(t, 6)).toEqual(['......', '.?????', '.?###?', '.?###?', '.?###?', '.?????']);
  });

  it('treats outside the image as not-foreground and as background', () => {
    const all = mask(['####', '####', '####', '####']);
    const fg = buildTrimap(all, { ...thresholds, erodeSize: 3 });
    expect(render(fg, 4)).toEqual(['????', '?##?', '?##?', '????']);
    const none = mask(['....', '....', '....', '....']);
    const bg = buildTrimap(none, { ...thresholds, erodeSize: 3 });
    expect(render(bg, 4)).toEqual(['....', '....', '....', '....']);
  });

  it('gives an all-foreground mask no background and an all-background mask no foreground', () => {
    const all = mask(['###', '###', '###']);
    expect(trimapCounts(buildTrimap(all, { ...thresholds, erodeSize: 1 }))).toEqual({
      foreground: 9,
      background: 0,
      unknown: 0,
    });
    const none = mask(['...', '...', '...']);
    expect(trimapCounts(buildTrimap(none, { ...thresholds, erodeSize: 25 }))).toEqual({
      foreground: 0,
      background: 9,
      unknown: 0,
    });
  });

  it('lets background win where fg < bg makes a value both', () => {
    const m: Mask = { data: Uint8Array.from([100, 100, 100, 30, 220]), width: 5, height: 1 };
    const t = buildTrimap(m, { foregroundThreshold: 50, backgroundThreshold: 200, erodeSize: 1 });
    expect(Array.from(t)).toEqual([0, 0, 0, 0, 255]);
  });

  it('uses the 3x3 cross for k = 0 (rembg parity), which spares diagonal neighbours', () => {
    const m = mask(['.....', '.###.', '.###.', '.###.', '.....']);
    const t = buildTrimap(m, { ...thresholds, erodeSize: 0 });
    expect(render(t, 5)).toEqual(['.???.', '?????', '??#??', '?????', '.???.']);
    const square = buildTrimap(m, { ...thresholds, erodeSize: 3 });
    expect(render(square, 5)).toEqual(['?????', '?????', '??#??', '?????', '?????']);
  });
});
