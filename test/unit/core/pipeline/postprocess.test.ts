import { describe, expect, it } from 'vitest';
import {
  outputToMask,
  resizeMask,
  resizeMaskCorner,
} from '../../../../core/pipeline/postprocess.ts';

describe('outputToMask', () => {
  it('min-max normalises the map and truncates p*255', () => {
    const mask = outputToMask(Float32Array.from([0.2, 0.4, 0.6, 1.0]), 0, 2);
    expect([...mask.data]).toEqual([0, 63, 127, 255]);
    expect([mask.width, mask.height]).toEqual([2, 2]);
  });

  it('reads the map at the given offset (one image of a batch)', () => {
    const output = Float32Array.from([9, 9, 9, 9, -1, 0, 1, 3]);
    expect([...outputToMask(output, 4, 2).data]).toEqual([0, 63, 127, 255]);
  });

  it('keeps the level of a flat map instead of dividing by zero', () => {
    expect([...outputToMask(new Float32Array(4).fill(0.7), 0, 2).data]).toEqual([
      178, 178, 178, 178,
    ]);
    expect([...outputToMask(new Float32Array(4).fill(3), 0, 2).data]).toEqual([255, 255, 255, 255]);
    expect([...outputToMask(new Float32Array(4).fill(-2), 0, 2).data]).toEqual([0, 0, 0, 0]);
  });

  it('with minMax off takes each value at its level, clipped, as imgly does', () => {
    const mask = outputToMask(Float32Array.from([0.2, 0.4, 0.6, 1.0]), 0, 2, false);
    expect([...mask.data]).toEqual([51, 102, 153, 255]);
    const wild = outputToMask(Float32Array.from([-0.5, 1.5, Number.NaN, 0.5]), 0, 2, false);
    expect([...wild.data]).toEqual([0, 255, 0, 127]);
  });

  it('turns NaN values into background', () => {
    const mask = outputToMask(Float32Array.from([Number.NaN, 0, 1, 0.5]), 0, 2);
    expect([...mask.data]).toEqual([0, 0, 255, 127]);
  });
});

describe('resizeMask', () => {
  it('resizes a model-sized mask back to the image size', async () => {
    const mask = { data: new Uint8Array(16 * 16).fill(200), width: 16, height: 16 };
    const out = await resizeMask(mask, 37, 9);
    expect([out.width, out.height, out.data.length]).toEqual([37, 9, 37 * 9]);
    expect(out.data.every((v) => v === 200)).toBe(true);
  });

  it('keeps a left/right split where it was', async () => {
    const data = new Uint8Array(16 * 16);
    for (let y = 0; y < 16; y++) data.fill(255, y * 16, y * 16 + 8);
    const out = await resizeMask({ data, width: 16, height: 16 }, 64, 4);
    expect(out.data[2]).toBe(255);
    expect(out.data[60]).toBe(0);
  });
});

describe('resizeMaskCorner', () => {
  it('samples x * src / dst from the corner and rounds half up', () => {
    const out = resizeMaskCorner({ data: Uint8Array.from([0, 255]), width: 2, height: 1 }, 4, 1);
    // Position 1.5 has no right neighbour and keeps the last pixel.
    expect([...out.data]).toEqual([0, 128, 255, 255]);
  });

  it('blends four neighbours in two dimensions', () => {
    const out = resizeMaskCorner(
      { data: Uint8Array.from([0, 100, 200, 255]), width: 2, height: 2 },
      3,
      3,
    );
    expect([...out.data]).toEqual([0, 67, 100, 133, 180, 203, 200, 237, 255]);
  });

  it('downscales by point sampling at the corners', () => {
    const out = resizeMaskCorner(
      { data: Uint8Array.from([10, 20, 30, 40]), width: 4, height: 1 },
      2,
      1,
    );
    expect([...out.data]).toEqual([10, 30]);
  });

  it('returns a same-size mask unchanged', () => {
    const mask = { data: Uint8Array.from([1, 2, 3, 4]), width: 2, height: 2 };
    expect(resizeMaskCorner(mask, 2, 2)).toBe(mask);
  });
});
