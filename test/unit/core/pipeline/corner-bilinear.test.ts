import { describe, expect, it } from 'vitest';
import { resizeCornerBilinear } from '../../../../core/pipeline/corner-bilinear.ts';

describe('resizeCornerBilinear', () => {
  it('resizes every channel of interleaved pixels alike', () => {
    const rgb = Uint8Array.from([0, 10, 20, 255, 110, 220]);
    const out = resizeCornerBilinear(rgb, 2, 1, 3, 4, 1);
    expect([...out]).toEqual([0, 10, 20, 128, 60, 120, 255, 110, 220, 255, 110, 220]);
  });

  it('stretches a single row down the rows it makes', () => {
    const out = resizeCornerBilinear(Uint8Array.from([40, 80]), 2, 1, 1, 2, 3);
    expect([...out]).toEqual([40, 80, 40, 80, 40, 80]);
  });

  it('refuses a raster whose length does not match its size', () => {
    expect(() => resizeCornerBilinear(new Uint8Array(5), 2, 1, 3, 4, 1)).toThrow(RangeError);
  });
});
