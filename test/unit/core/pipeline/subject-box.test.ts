import { describe, expect, it } from 'vitest';
import type { Mask } from '../../../../core/image/raster.ts';
import {
  cropRegion,
  fitOutputSize,
  placeSubject,
  SUBJECT_ALPHA_THRESHOLD,
  subjectBox,
} from '../../../../core/pipeline/subject-box.ts';

function maskWith(width: number, height: number, set: [number, number, number][]): Mask {
  const data = new Uint8Array(width * height);
  for (const [x, y, a] of set) data[y * width + x] = a;
  return { data, width, height };
}

describe('subjectBox', () => {
  it('is the smallest box around every pixel at or above the threshold', () => {
    const mask = maskWith(10, 8, [
      [3, 2, 255],
      [6, 5, 40],
      [4, 6, SUBJECT_ALPHA_THRESHOLD],
      // Faint noise below the threshold is not subject.
      [0, 0, SUBJECT_ALPHA_THRESHOLD - 1],
      [9, 7, 1],
    ]);
    expect(subjectBox(mask)).toEqual({ x: 3, y: 2, width: 4, height: 5 });
  });

  it('is undefined for an empty mask and one pixel for one pixel', () => {
    expect(subjectBox(maskWith(4, 4, []))).toBeUndefined();
    expect(subjectBox(maskWith(4, 4, [[3, 3, 255]]))).toEqual({ x: 3, y: 3, width: 1, height: 1 });
  });
});

describe('cropRegion', () => {
  const box = { x: 40, y: 30, width: 100, height: 50 };

  it('adds a pixel margin on every side', () => {
    expect(cropRegion(box, { unit: 'px', value: 10 }, 400, 300)).toEqual({
      x: 30,
      y: 20,
      width: 120,
      height: 70,
    });
  });

  it('takes a percentage of the box width across and of its height down', () => {
    expect(cropRegion(box, { unit: 'percent', value: 10 }, 400, 300)).toEqual({
      x: 30,
      y: 25,
      width: 120,
      height: 60,
    });
  });

  it('clamps to the image', () => {
    expect(cropRegion(box, { unit: 'px', value: 50 }, 160, 100)).toEqual({
      x: 0,
      y: 0,
      width: 160,
      height: 100,
    });
  });
});

describe('placeSubject', () => {
  const box = { x: 10, y: 20, width: 40, height: 20 };

  it('keeps the box where it is with neither scale nor position', () => {
    expect(placeSubject(box, 200, 100, undefined, undefined)).toEqual(box);
  });

  it('fits the box inside scale of the canvas, aspect kept, and centres it', () => {
    // 50% of 200x100 is 100x50; a 40x20 box fits at 2.5x: 100x50.
    expect(placeSubject(box, 200, 100, 0.5, undefined)).toEqual({
      x: 50,
      y: 25,
      width: 100,
      height: 50,
    });
    // The limiting axis wins: 80% of 100 high is 80, so 160x80.
    expect(placeSubject(box, 400, 100, 0.8, undefined)).toEqual({
      x: 120,
      y: 10,
      width: 160,
      height: 80,
    });
  });

  it('moves the box across the free space by position', () => {
    expect(placeSubject(box, 200, 100, undefined, { x: 0.5, y: 1 })).toEqual({
      x: 80,
      y: 80,
      width: 40,
      height: 20,
    });
    expect(placeSubject(box, 200, 100, 1, { x: 0, y: 0 })).toEqual({
      x: 0,
      y: 0,
      width: 200,
      height: 100,
    });
  });
});

describe('fitOutputSize', () => {
  it('bounds the longest side, exactly, and never enlarges', () => {
    expect(fitOutputSize(4000, 3000, { kind: 'side', pixels: 1024 })).toEqual({
      width: 1024,
      height: 768,
    });
    expect(fitOutputSize(300, 1000, { kind: 'side', pixels: 500 })).toEqual({
      width: 150,
      height: 500,
    });
    expect(fitOutputSize(300, 200, { kind: 'side', pixels: 1024 })).toEqual({
      width: 300,
      height: 200,
    });
    expect(fitOutputSize(300, 200, undefined)).toEqual({ width: 300, height: 200 });
  });

  it('bounds the area in megapixels, never above it', () => {
    const out = fitOutputSize(4000, 3000, { kind: 'megapixels', megapixels: 2 });
    expect(out.width * out.height).toBeLessThanOrEqual(2_000_000);
    expect(out.width * out.height).toBeGreaterThan(1_990_000);
    expect(out.width / out.height).toBeCloseTo(4 / 3, 2);
    expect(fitOutputSize(1000, 1000, { kind: 'megapixels', megapixels: 2 })).toEqual({
      width: 1000,
      height: 1000,
    });
  });
});
