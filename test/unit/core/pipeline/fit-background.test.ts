import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fitBackground } from '../../../../core/pipeline/fit-background.ts';

const OPTIONS = { maxPixels: 1_000_000, label: 'background image' };

/** 30x10: thirds red, green, blue from left to right. */
async function stripes(): Promise<Buffer> {
  const data = new Uint8Array(30 * 10 * 3);
  for (let y = 0; y < 10; y++) {
    for (let x = 0; x < 30; x++) data[(y * 30 + x) * 3 + Math.floor(x / 10)] = 255;
  }
  return sharp(data, { raw: { width: 30, height: 10, channels: 3 } })
    .png()
    .toBuffer();
}

describe('fitBackground', () => {
  it('covers the frame and crops around the centre (no stretching)', async () => {
    const { image } = await fitBackground(await stripes(), 10, 10, OPTIONS);
    expect([image.width, image.height]).toEqual([10, 10]);
    // Only the middle (green) third is left.
    for (let i = 0; i < 100; i++) {
      expect([...image.data.slice(i * 3, i * 3 + 3)]).toEqual([0, 255, 0]);
    }
  });

  it('scales a small background up until it covers a larger frame', async () => {
    const { image } = await fitBackground(await stripes(), 90, 60, OPTIONS);
    expect([image.width, image.height, image.data.length]).toEqual([90, 60, 90 * 60 * 3]);
    // Scaled x6 to 180x60, then 45 columns cut from each side: the centre column is green.
    expect([...image.data.slice((30 * 90 + 45) * 3, (30 * 90 + 45) * 3 + 3)]).toEqual([0, 255, 0]);
  });

  it('flattens a transparent background over white', async () => {
    const png = await sharp({
      create: { width: 4, height: 4, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const { image } = await fitBackground(png, 4, 4, OPTIONS);
    expect(image.data.every((v) => v === 255)).toBe(true);
  });

  it('names the background image when it cannot be decoded', async () => {
    await expect(fitBackground(new Uint8Array([1, 2, 3]), 4, 4, OPTIONS)).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
      message: expect.stringMatching(/^background image: not an image/),
    });
  });
});
