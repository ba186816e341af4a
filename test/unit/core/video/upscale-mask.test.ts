import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { resizeMaskBilinear } from '../../../../core/video/upscale-mask.ts';

describe('resizeMaskBilinear', () => {
  it('keeps flat masks flat and copies a same-size mask', () => {
    const flat = new Uint8Array(16).fill(200);
    expect([...new Set(resizeMaskBilinear(flat, 4, 4, 10, 7))]).toEqual([200]);
    const same = Uint8Array.from({ length: 6 }, (_, i) => i * 40);
    const copy = resizeMaskBilinear(same, 3, 2, 3, 2);
    expect([...copy]).toEqual([...same]);
    expect(copy).not.toBe(same);
  });

  it('interpolates between pixel centres along both axes', () => {
    // Two columns 0 and 255: at 4x, the output ramps from 0 to 255 across the middle.
    const row = resizeMaskBilinear(Uint8Array.from([0, 255]), 2, 1, 8, 1);
    expect([...row]).toEqual([0, 0, 32, 96, 159, 223, 255, 255]);
    const col = resizeMaskBilinear(Uint8Array.from([0, 255]), 1, 2, 1, 8);
    expect([...col]).toEqual([...row]);
  });

  it('stays close to the Lanczos-3 resize it replaces on a real-looking mask', async () => {
    const size = 40;
    const mask = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d = Math.hypot(x - 20, y - 18) - 11;
        mask[y * size + x] = Math.max(0, Math.min(255, Math.round(128 - d * 60)));
      }
    }
    const ours = resizeMaskBilinear(mask, size, size, 107, 60);
    const lanczos = await sharp(mask, { raw: { width: size, height: size, channels: 1 } })
      .resize(107, 60, { fit: 'fill', kernel: 'lanczos3' })
      .extractChannel(0)
      .raw()
      .toBuffer();
    let diff = 0;
    let agree = 0;
    for (let i = 0; i < ours.length; i++) {
      diff += Math.abs((ours[i] ?? 0) - (lanczos[i] ?? 0));
      if ((ours[i] ?? 0) >= 128 === (lanczos[i] ?? 0) >= 128) agree++;
    }
    // sharp's upscale is shifted by about half an output pixel: a ring of edge pixels differs.
    expect(diff / ours.length).toBeLessThan(3);
    expect(agree / ours.length).toBeGreaterThan(0.98);
  });

  it('rejects a mask of the wrong length', () => {
    expect(() => resizeMaskBilinear(new Uint8Array(5), 2, 2, 4, 4)).toThrow(RangeError);
  });
});
