import { describe, expect, it } from 'vitest';
import { applyAlphaLevels, maskToUnit } from '../../../../../core/pipeline/refine/alpha-levels.ts';
import { guidedFilter } from '../../../../../core/pipeline/refine/guided-filter.ts';
import { REFINE_GUIDED_FILTER } from '../../../../../core/pipeline/refine/refine-model-mask.ts';
import { discScene, meanAbsError, modelLikeMask } from './synthetic.ts';

// The same levels on both sides, so the comparison measures the edge, not the 0/255 stretch.
const LEVELS = { low: 0.2, high: 0.8 };
const toMask = (plane: Float32Array, width: number, height: number) =>
  applyAlphaLevels(plane, width, height, LEVELS);

describe('guidedFilter', () => {
  const { image, truth } = discScene(96, 64, 20);
  const noisy = modelLikeMask(truth, 2, 20);

  it.each([
    ['the refine settings', REFINE_GUIDED_FILTER],
    ['a wider window', { radius: 4, epsilon: 1e-4 }],
  ])('brings a blurred, noisy mask of a disc closer to the disc (%s)', (_, options) => {
    const filtered = toMask(guidedFilter(image, noisy, options), 96, 64);
    const before = meanAbsError(toMask(maskToUnit(noisy), 96, 64), truth);
    const after = meanAbsError(filtered, truth);
    expect(before).toBeGreaterThan(0.01);
    expect(after).toBeLessThan(before * 0.7);
  });

  it('leaves a mask that already follows the colour edge as it is', () => {
    const filtered = toMask(guidedFilter(image, truth, REFINE_GUIDED_FILTER), 96, 64);
    expect(meanAbsError(filtered, truth)).toBeLessThan(0.002);
  });

  it('names both sizes when the image and the mask differ', () => {
    expect(() =>
      guidedFilter(image, { data: new Uint8Array(4), width: 2, height: 2 }, REFINE_GUIDED_FILTER),
    ).toThrow(/96x64 vs mask 2x2/);
  });
});
