import { describe, expect, it } from 'vitest';
import type { Mask, RgbImage } from '../../../../core/image/raster.ts';
import { matteImage } from '../../../../core/matting/matte-image.ts';
import { DEFAULT_MAX_UNKNOWN_PIXELS } from '../../../../core/matting/matting-limits.ts';
import type { AlphaMattingOptions } from '../../../../core/params/convert-params.ts';

/** Indexing that fails loudly instead of asserting non-null. */
function def<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('index out of range');
  return v;
}

const options: AlphaMattingOptions = {
  enabled: true,
  foregroundThreshold: 240,
  backgroundThreshold: 10,
  erodeSize: 5,
  baseSize: 1000,
};

const F = [220, 50, 40];
const B = [30, 120, 210];

/** A red disc with a soft rim over blue, and the hard (model-like) mask of it. */
function scene(
  width: number,
  height: number,
): { image: RgbImage; mask: Mask; trueAlpha: Float64Array } {
  const data = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  const trueAlpha = new Float64Array(width * height);
  const r = Math.min(width, height) * 0.3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x - width / 2, y - height / 2);
      const a = Math.min(1, Math.max(0, (r - d) / (r * 0.25) + 0.5));
      const p = y * width + x;
      trueAlpha[p] = a;
      mask[p] = d < r ? 255 : 0;
      for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round(a * def(F[c]) + (1 - a) * def(B[c]));
    }
  }
  return { image: { data, width, height }, mask: { data: mask, width, height }, trueAlpha };
}

describe('matteImage', () => {
  it('falls back to the plain mask with a warning when nothing is certain foreground', async () => {
    const { image } = scene(40, 30);
    const mask: Mask = { data: new Uint8Array(1200).fill(200), width: 40, height: 30 };
    const result = await matteImage(image, mask, options);
    expect(result.alpha).toBe(mask);
    expect(result.foreground).toBe(image);
    expect(result.warnings).toEqual([
      'alpha matting skipped: the trimap has no certain foreground; the plain mask was used',
    ]);
  });

  it('falls back when the mask is all foreground (no background in the trimap)', async () => {
    const { image } = scene(40, 30);
    const mask: Mask = { data: new Uint8Array(1200).fill(255), width: 40, height: 30 };
    const result = await matteImage(image, mask, options);
    expect(result.alpha).toBe(mask);
    expect(result.warnings[0]).toMatch(/no certain background/);
  });

  it('falls back when the mask is all background', async () => {
    const { image } = scene(40, 30);
    const mask: Mask = { data: new Uint8Array(1200), width: 40, height: 30 };
    const result = await matteImage(image, mask, options);
    expect(result.foreground).toBe(image);
    expect(result.warnings[0]).toMatch(/no certain foreground/);
  });

  it('turns a hard mask into a soft alpha close to the true one, with foreground colours', async () => {
    const { image, mask, trueAlpha } = scene(120, 90);
    const result = await matteImage(image, mask, options);
    expect(result.warnings).toEqual([]);
    expect(result.timings?.unknownPixels).toBeGreaterThan(0);
    let soft = 0;
    let error = 0;
    let maskError = 0;
    let colourGain = 0;
    for (let p = 0; p < trueAlpha.length; p++) {
      const a = def(result.alpha.data[p]) / 255;
      error += Math.abs(a - def(trueAlpha[p]));
      maskError += Math.abs(def(mask.data[p]) / 255 - def(trueAlpha[p]));
      if (a > 0.2 && a < 1) {
        soft++;
        // The estimated colour is nearer the true foreground than the blended input pixel.
        for (let c = 0; c < 3; c++) {
          colourGain +=
            Math.abs(def(image.data[p * 3 + c]) - def(F[c])) -
            Math.abs(def(result.foreground.data[p * 3 + c]) - def(F[c]));
        }
      }
      if (a === 1 || a === 0) {
        for (let c = 0; c < 3; c++)
          expect(result.foreground.data[p * 3 + c]).toBe(image.data[p * 3 + c]);
      }
    }
    expect(soft).toBeGreaterThan(50);
    expect(error / trueAlpha.length).toBeLessThan(0.3 * (maskError / trueAlpha.length));
    expect(colourGain / (soft * 3)).toBeGreaterThan(20);
  });

  it('mattes a copy no larger than baseSize and returns full-size results', async () => {
    const { image, mask, trueAlpha } = scene(360, 240);
    const result = await matteImage(image, mask, { ...options, baseSize: 120 });
    expect(result.warnings).toEqual([]);
    expect(result.alpha.width).toBe(360);
    expect(result.alpha.height).toBe(240);
    expect(result.foreground.data.length).toBe(360 * 240 * 3);
    // Working at 120x80 leaves fewer unknown pixels than the full-size band would have.
    expect(result.timings?.unknownPixels).toBeLessThan(120 * 80);
    let error = 0;
    for (let p = 0; p < trueAlpha.length; p++)
      error += Math.abs(def(result.alpha.data[p]) / 255 - def(trueAlpha[p]));
    expect(error / trueAlpha.length).toBeLessThan(0.02);
    // Far from the rim alpha is certain and the pixels are the originals.
    expect(result.alpha.data[120 * 360 + 180]).toBe(255);
    expect(result.alpha.data[5 * 360 + 5]).toBe(0);
  });

  it('falls back instead of throwing when the image is too small for any 3x3 window', async () => {
    const image: RgbImage = { data: new Uint8Array(12).fill(100), width: 2, height: 2 };
    const mask: Mask = { data: Uint8Array.from([255, 128, 128, 0]), width: 2, height: 2 };
    const result = await matteImage(image, mask, { ...options, erodeSize: 1 });
    expect(result.alpha).toBe(mask);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^alpha matting skipped: /);
  });

  it('falls back to the plain mask with a warning when the unknown band is over the cap', async () => {
    const { image, mask } = scene(120, 90);
    const full = await matteImage(image, mask, options);
    const unknown = full.timings?.unknownPixels ?? 0;
    expect(unknown).toBeGreaterThan(100);
    // At the cap it still mattes; one pixel under, it keeps the mask and says why.
    const atCap = await matteImage(image, mask, options, { maxUnknownPixels: unknown });
    expect(atCap.warnings).toEqual([]);
    expect(atCap.alpha).not.toBe(mask);
    const over = await matteImage(image, mask, options, { maxUnknownPixels: unknown - 1 });
    expect(over.alpha).toBe(mask);
    expect(over.foreground).toBe(image);
    expect(over.timings).toBeUndefined();
    expect(over.warnings).toEqual([
      `alpha matting skipped: ${unknown} unknown pixels, over the limit of ${unknown - 1} ` +
        '(a smaller alpha_base_size or alpha_erode makes fewer); the plain mask was used',
    ]);
  });

  it('caps the unknown pixels by default, counting them at the working size', async () => {
    // A mask that is soft everywhere but a certain rim: almost every pixel is unknown.
    const width = 1600;
    const height = 1300;
    const data = new Uint8Array(width * height).fill(128);
    for (let x = 0; x < width; x++) {
      data[x] = 255;
      data[(height - 1) * width + x] = 0;
    }
    const image: RgbImage = { data: new Uint8Array(width * height * 3).fill(90), width, height };
    const mask: Mask = { data, width, height };
    const result = await matteImage(image, mask, { ...options, erodeSize: 1, baseSize: 1600 });
    expect(DEFAULT_MAX_UNKNOWN_PIXELS).toBeLessThan(width * (height - 2));
    expect(result.alpha).toBe(mask);
    expect(result.warnings[0]).toMatch(
      new RegExp(`unknown pixels, over the limit of ${DEFAULT_MAX_UNKNOWN_PIXELS} `),
    );
  });

  it('refuses a mask whose size differs from the image (a caller bug, not a matting failure)', async () => {
    const { image } = scene(40, 30);
    await expect(
      matteImage(image, { data: new Uint8Array(10), width: 5, height: 2 }, options),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
