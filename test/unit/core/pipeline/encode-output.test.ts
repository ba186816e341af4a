import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeRaster } from '../../../../core/pipeline/encode-output.ts';

describe('encodeRaster', () => {
  it('writes a one-band mask as a single-channel grayscale PNG', async () => {
    const png = await encodeRaster(
      { data: Uint8Array.from([0, 128, 255, 7]), width: 2, height: 2, channels: 1 },
      'png',
    );
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.channels, meta.width, meta.height]).toEqual(['png', 1, 2, 2]);
    const raw = await sharp(png).extractChannel(0).raw().toBuffer();
    expect([...raw]).toEqual([0, 128, 255, 7]);
  });

  it('writes RGBA losslessly to PNG', async () => {
    const data = Uint8Array.from([200, 100, 50, 64, 1, 2, 3, 0]);
    const png = await encodeRaster({ data, width: 2, height: 1, channels: 4 }, 'png');
    expect([...(await sharp(png).raw().toBuffer())]).toEqual([...data]);
  });

  it('writes WebP with an alpha channel', async () => {
    const data = new Uint8Array(16 * 16 * 4).fill(255);
    for (let i = 3; i < data.length; i += 8) data[i] = 0;
    const webp = await encodeRaster({ data, width: 16, height: 16, channels: 4 }, 'webp');
    const meta = await sharp(webp).metadata();
    expect([meta.format, meta.hasAlpha]).toEqual(['webp', true]);
    const alpha = await sharp(webp).extractChannel(3).raw().toBuffer();
    expect([...alpha.subarray(0, 4)]).toEqual([0, 255, 0, 255]);
  });
});
