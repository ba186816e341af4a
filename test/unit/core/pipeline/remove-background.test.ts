import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseImageOptions } from '../../../../core/params/convert-params.ts';
import { removeBackground } from '../../../../core/pipeline/remove-background.ts';
import { createFakeSegmenter } from '../../../support/fake-segmenter.ts';

/** 32x16 PNG: left half red (the fake's foreground), right half grey. */
async function halfRedPng(): Promise<Buffer> {
  const data = new Uint8Array(32 * 16 * 3).fill(120);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) data.set([220, 20, 20], (y * 32 + x) * 3);
  }
  return sharp(data, { raw: { width: 32, height: 16, channels: 3 } })
    .png()
    .toBuffer();
}

const segmenter = createFakeSegmenter({ inputSize: 32, id: 'fake-model' });

async function raw(encoded: Buffer) {
  return sharp(encoded).raw().toBuffer({ resolveWithObject: true });
}

describe('removeBackground', () => {
  it('returns a transparent PNG cut-out with straight alpha and the model id', async () => {
    const out = await removeBackground(
      { image: await halfRedPng(), options: parseImageOptions({}) },
      { segmenter },
    );
    expect([out.format, out.contentType, out.width, out.height, out.modelId]).toEqual([
      'png',
      'image/png',
      32,
      16,
      'fake-model',
    ]);
    const { data, info } = await raw(out.data);
    expect(info.channels).toBe(4);
    expect([...data.subarray(0, 4)]).toEqual([220, 20, 20, 255]); // kept, colour untouched
    const right = (8 * 32 + 28) * 4;
    expect([...data.subarray(right, right + 3)]).toEqual([120, 120, 120]); // straight: RGB kept
    expect(data[right + 3]).toBeLessThan(8); // removed
    for (const ms of Object.values(out.timings)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(out.warnings).toEqual([]);
  });

  it('returns only the full-resolution mask as grayscale with only_mask', async () => {
    const out = await removeBackground(
      { image: await halfRedPng(), options: parseImageOptions({ only_mask: 'true' }) },
      { segmenter },
    );
    const meta = await sharp(out.data).metadata();
    expect([meta.channels, meta.width, meta.height]).toEqual([1, 32, 16]);
  });

  it('composites over an opaque colour and returns RGB', async () => {
    const out = await removeBackground(
      {
        image: await halfRedPng(),
        options: parseImageOptions({ bg_type: 'color', bg_color_value: '#0000ff' }),
      },
      { segmenter },
    );
    const { data, info } = await raw(out.data);
    expect(info.channels).toBe(3);
    expect([...data.subarray(0, 3)]).toEqual([220, 20, 20]);
    const right = (8 * 32 + 28) * 3;
    expect(data[right + 2]).toBeGreaterThan(240);
  });

  it('composites over a background image fitted to the input', async () => {
    const background = await sharp({
      create: { width: 100, height: 100, channels: 3, background: { r: 0, g: 255, b: 0 } },
    })
      .jpeg()
      .toBuffer();
    const out = await removeBackground(
      {
        image: await halfRedPng(),
        options: parseImageOptions({ bg_type: 'image' }),
        backgroundImage: background,
      },
      { segmenter },
    );
    const { data, info } = await raw(out.data);
    expect([info.width, info.height, info.channels]).toEqual([32, 16, 3]);
    const right = (8 * 32 + 28) * 3;
    expect(data[right + 1]).toBeGreaterThan(240);
    expect(data[right]).toBeLessThan(16);
  });

  it('refuses bg_type=image without a background image', async () => {
    await expect(
      removeBackground(
        { image: await halfRedPng(), options: parseImageOptions({ bg_type: 'image' }) },
        { segmenter },
      ),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'bg_type' });
  });

  it('refuses a bad background image before running the model', async () => {
    const counting = createFakeSegmenter({ inputSize: 32 });
    await expect(
      removeBackground(
        {
          image: await halfRedPng(),
          options: parseImageOptions({ bg_type: 'image' }),
          backgroundImage: new TextEncoder().encode('not a picture'),
        },
        { segmenter: counting },
      ),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
      message: expect.stringMatching(/^background image: /),
    });
    expect(counting.calls).toEqual([]);
  });

  it('writes WebP when asked', async () => {
    const out = await removeBackground(
      { image: await halfRedPng(), options: parseImageOptions({ output_format: 'webp' }) },
      { segmenter },
    );
    expect(out.contentType).toBe('image/webp');
    expect((await sharp(out.data).metadata()).format).toBe('webp');
  });

  it('keeps pixels that were transparent in the input transparent', async () => {
    // All red (foreground for the fake model), but the left half has alpha 0.
    const rgba = new Uint8Array(16 * 8 * 4);
    for (let i = 0; i < 16 * 8; i++) rgba.set([230, 10, 10, i % 16 < 8 ? 0 : 255], i * 4);
    const png = await sharp(rgba, { raw: { width: 16, height: 8, channels: 4 } })
      .png()
      .toBuffer();
    const out = await removeBackground(
      { image: png, options: parseImageOptions({}) },
      { segmenter: createFakeSegmenter({ inputSize: 16 }) },
    );
    const { data } = await raw(out.data);
    expect(data[(4 * 16 + 2) * 4 + 3]).toBe(0);
    expect(data[(4 * 16 + 13) * 4 + 3]).toBe(255);
  });

  it('names the file when the input is not an image', async () => {
    await expect(
      removeBackground(
        {
          image: new TextEncoder().encode('hello'),
          options: parseImageOptions({}),
          fileName: 'notes.png',
        },
        { segmenter },
      ),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
      message: expect.stringMatching(/^notes\.png: /),
    });
  });

  it('applies the pixel limit it is given', async () => {
    await expect(
      removeBackground(
        { image: await halfRedPng(), options: parseImageOptions({}) },
        { segmenter, maxPixels: 100 },
      ),
    ).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE' });
  });

  it('makes post_process_mask masks binary', async () => {
    const soft = createFakeSegmenter({ inputSize: 32, pixel: (r) => r });
    const out = await removeBackground(
      {
        image: await halfRedPng(),
        options: parseImageOptions({ only_mask: true, post_process_mask: true }),
      },
      { segmenter: soft },
    );
    const mask = await sharp(out.data).extractChannel(0).raw().toBuffer();
    expect(mask.every((v) => v === 0 || v === 255)).toBe(true);
    expect(mask[0]).toBe(255);
    expect(mask[31]).toBe(0);
  });

  it('hands the mask to alpha matting when enabled and returns a cut-out of the same size', async () => {
    const out = await removeBackground(
      { image: await halfRedPng(), options: parseImageOptions({ alpha_matting: true }) },
      { segmenter },
    );
    expect([out.width, out.height]).toEqual([32, 16]);
    expect((await sharp(out.data).metadata()).channels).toBe(4);
  });
});
