import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { CutoutError } from '../../../../core/errors.ts';
import { decodeImage } from '../../../../core/pipeline/decode-image.ts';
import { pngClaiming, TEXT_NOT_IMAGE, truncatedJpeg } from '../../../support/bad-images.ts';

const OPTIONS = { maxPixels: 1_000_000, label: 'photo.png' };

function solid(width: number, height: number, color: { r: number; g: number; b: number }) {
  return sharp({ create: { width, height, channels: 3, background: color } });
}

async function decodeError(bytes: Uint8Array, options = OPTIONS): Promise<CutoutError> {
  try {
    await decodeImage(bytes, options);
  } catch (error) {
    return error as CutoutError;
  }
  throw new Error('expected decodeImage to throw');
}

describe('decodeImage', () => {
  it('applies EXIF orientation 6 (rotate 90) and swaps the dimensions', async () => {
    const jpeg = await solid(40, 20, { r: 10, g: 200, b: 10 })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await decodeImage(jpeg, OPTIONS);
    expect([out.rgb.width, out.rgb.height]).toEqual([20, 40]);
    expect(out.rgb.data.length).toBe(20 * 40 * 3);
  });

  it('rotates the pixels, not only the size', async () => {
    // Left half red, right half blue; orientation 6 puts the left half at the top.
    const data = new Uint8Array(8 * 4 * 3);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 8; x++) data.set(x < 4 ? [255, 0, 0] : [0, 0, 255], (y * 8 + x) * 3);
    }
    const png = await sharp(data, { raw: { width: 8, height: 4, channels: 3 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await decodeImage(png, OPTIONS);
    expect([out.rgb.width, out.rgb.height]).toEqual([4, 8]);
    expect([...out.rgb.data.slice(0, 3)]).toEqual([255, 0, 0]);
    expect([...out.rgb.data.slice(-3)]).toEqual([0, 0, 255]);
  });

  it('reduces a 16-bit PNG to 8-bit RGB', async () => {
    const png16 = await solid(3, 2, { r: 200, g: 100, b: 50 })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const out = await decodeImage(png16, OPTIONS);
    expect(out.rgb.data.length).toBe(3 * 2 * 3);
    expect([...out.rgb.data.slice(0, 3)]).toEqual([200, 100, 50]);
  });

  it('converts a CMYK JPEG to RGB', async () => {
    const cmyk = await solid(4, 4, { r: 200, g: 100, b: 50 })
      .toColourspace('cmyk')
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const out = await decodeImage(cmyk, OPTIONS);
    expect(out.rgb.data.length).toBe(4 * 4 * 3);
    const [r = 0, g = 0, b = 0] = out.rgb.data;
    // Colour-managed through a CMYK profile: close to, not exactly, the source colour.
    expect(Math.abs(r - 200)).toBeLessThan(12);
    expect(Math.abs(g - 100)).toBeLessThan(12);
    expect(Math.abs(b - 50)).toBeLessThan(30);
  });

  it('expands a one-channel grayscale PNG to three equal channels', async () => {
    const gray = await sharp(new Uint8Array(6).fill(90), {
      raw: { width: 3, height: 2, channels: 1 },
    })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(gray).metadata()).channels).toBe(1);
    const out = await decodeImage(gray, OPTIONS);
    expect([...out.rgb.data]).toEqual(new Array(18).fill(90));
    expect(out.alpha).toBeUndefined();
  });

  it('separates an input alpha channel from the colours under it', async () => {
    const rgba = Uint8Array.from([255, 0, 0, 0, 0, 255, 0, 128]);
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    const out = await decodeImage(png, OPTIONS);
    expect([...out.rgb.data]).toEqual([255, 0, 0, 0, 255, 0]);
    expect([...(out.alpha?.data ?? [])]).toEqual([0, 128]);
  });

  it('drops an alpha channel that is fully opaque', async () => {
    const png = await solid(2, 2, { r: 1, g: 2, b: 3 }).ensureAlpha(1).png().toBuffer();
    expect((await decodeImage(png, OPTIONS)).alpha).toBeUndefined();
  });

  it.each([
    ['webp', (s: sharp.Sharp) => s.webp({ lossless: true })],
    ['tiff', (s: sharp.Sharp) => s.tiff()],
    ['avif', (s: sharp.Sharp) => s.avif({ lossless: true })],
    ['gif', (s: sharp.Sharp) => s.gif()],
  ])('decodes %s', async (_name, encode) => {
    const bytes = await encode(solid(6, 5, { r: 0, g: 0, b: 255 })).toBuffer();
    const out = await decodeImage(bytes, OPTIONS);
    expect([out.rgb.width, out.rgb.height]).toEqual([6, 5]);
    const [r = 0, g = 0, b = 0] = out.rgb.data;
    expect(b).toBeGreaterThan(240);
    expect(r + g).toBeLessThan(20);
  });

  it('takes the first frame of an animated GIF and says so', async () => {
    const frames = [
      await solid(4, 4, { r: 255, g: 0, b: 0 }).png().toBuffer(),
      await solid(4, 4, { r: 0, g: 0, b: 255 }).png().toBuffer(),
    ];
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    const out = await decodeImage(gif, OPTIONS);
    expect([out.rgb.width, out.rgb.height]).toEqual([4, 4]);
    expect(out.rgb.data[0]).toBeGreaterThan(200);
    expect(out.warnings).toEqual(['photo.png: 2 frames or pages; only the first was used']);
  });

  it('refuses a zero-byte file with DECODE_FAILED', async () => {
    const error = await decodeError(new Uint8Array(0));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toBe('photo.png: the file is empty (0 bytes)');
  });

  it('refuses a truncated JPEG with DECODE_FAILED', async () => {
    const error = await decodeError(await truncatedJpeg());
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(/^photo\.png: the jpeg data is corrupt or truncated/);
  });

  it('refuses a PNG whose header is corrupt with DECODE_FAILED', async () => {
    const png = pngClaiming(8, 8);
    png.fill(0, 16, 33); // zero size and a wrong checksum in IHDR
    const error = await decodeError(png);
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(/^photo\.png: the png header is corrupt/);
  });

  it('refuses a bare IHDR claiming 30000x30000 as too large, not as corrupt', async () => {
    const error = await decodeError(pngClaiming(30000, 30000).subarray(0, 33));
    expect(error.code).toBe('INPUT_TOO_LARGE');
  });

  it('refuses a text file named .png with UNSUPPORTED_MEDIA', async () => {
    const error = await decodeError(TEXT_NOT_IMAGE);
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(error.message).toMatch(/^photo\.png: not an image/);
  });

  it('refuses an SVG (not a raster format) with UNSUPPORTED_MEDIA', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>';
    const error = await decodeError(new TextEncoder().encode(svg));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(error.message).toMatch(/svg is not an accepted image format/);
  });

  it('refuses a PNG header claiming 30000x30000 with INPUT_TOO_LARGE before decoding', async () => {
    const error = await decodeError(pngClaiming(30000, 30000));
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toBe(
      'photo.png: 30000x30000 is 900.0 megapixels, over the limit of 1.0 megapixels',
    );
  });

  it('refuses an image over a configured limit', async () => {
    const jpeg = await solid(200, 100, { r: 1, g: 1, b: 1 }).jpeg().toBuffer();
    const error = await decodeError(jpeg, { maxPixels: 10_000, label: 'wide.jpg' });
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toBe('wide.jpg: 200x100 is 20000 pixels, over the limit of 10000 pixels');
  });
});
