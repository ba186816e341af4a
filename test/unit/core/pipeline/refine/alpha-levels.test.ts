import { describe, expect, it } from 'vitest';
import { applyAlphaLevels, maskToUnit } from '../../../../../core/pipeline/refine/alpha-levels.ts';

describe('applyAlphaLevels', () => {
  const levels = { low: 0.2, high: 0.8 };
  const plane = Float32Array.from([
    -0.1,
    0,
    0.1,
    0.2,
    0.35,
    0.55,
    0.65,
    0.8,
    0.99,
    1.2,
    Number.NaN,
  ]);

  it('maps certain background to 0 and certain foreground to 255', () => {
    const { data } = applyAlphaLevels(plane, plane.length, 1, levels);
    expect([...data.slice(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...data.slice(7, 10)]).toEqual([255, 255, 255]);
    expect(data[10]).toBe(0); // NaN
  });

  it('keeps the soft band, linear and in order', () => {
    const { data } = applyAlphaLevels(plane, plane.length, 1, levels);
    expect([data[4], data[5], data[6]]).toEqual([64, 149, 191]);
  });

  it("lifts the model's 254 ceiling to 255", () => {
    const mask = { data: Uint8Array.from([1, 128, 254]), width: 3, height: 1 };
    const { data } = applyAlphaLevels(maskToUnit(mask), 3, 1, levels);
    expect([...data]).toEqual([0, 128, 255]);
  });

  it('refuses an empty band', () => {
    expect(() => applyAlphaLevels(plane, plane.length, 1, { low: 0.5, high: 0.5 })).toThrow(/high/);
  });
});
