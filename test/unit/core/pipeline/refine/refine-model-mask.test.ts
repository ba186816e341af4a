import { describe, expect, it } from 'vitest';
import { refineModelMask } from '../../../../../core/pipeline/refine/refine-model-mask.ts';
import { discScene, meanAbsError, modelLikeMask } from './synthetic.ts';

describe('refineModelMask', () => {
  const { image, truth } = discScene(120, 80, 25);
  const noisy = modelLikeMask(truth, 2, 10);
  const refined = refineModelMask(image, noisy);

  it('makes the certain subject fully opaque and the certain background fully transparent', () => {
    // The model-like mask tops out below 255 and never reaches 0 (as the sigmoid does).
    expect(Math.max(...noisy.data)).toBeLessThan(255);
    expect(refined.data[40 * 120 + 60]).toBe(255);
    expect(refined.data[5 * 120 + 5]).toBe(0);
  });

  it('is closer to the true disc than the model-like mask', () => {
    expect(meanAbsError(refined, truth)).toBeLessThan(meanAbsError(noisy, truth) * 0.5);
  });

  it('keeps the size', () => {
    expect([refined.width, refined.height, refined.data.length]).toEqual([120, 80, 9600]);
  });
});
