import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHeifWasmDecoder } from '../../../adapters/image/heif-wasm-decoder.ts';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { createImageProcessor } from '../../../containers/worker/processors.ts';
import type { RgbImage } from '../../../core/image/raster.ts';
import { parseImageOptions } from '../../../core/params/convert-params.ts';
import { decodeImage } from '../../../core/pipeline/decode-image.ts';
import type { HeifDecoder } from '../../../core/pipeline/heif-decoder.ts';
import type { Segmenter } from '../../../core/ports.ts';
import { maskIoU, readAlpha } from '../../support/image-assert.ts';
import { rejection } from '../../support/rejection.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';

/**
 * HEIC input on real files made by libheif's encoder (test/fixtures/images/README.md):
 * lemur.heic (170x110) and lemur-rotated.heic (stored 170x110 with irot = 90 degrees clockwise
 * and EXIF orientation 6, as an iPhone writes a portrait photo).
 */

const FIXTURES = join(import.meta.dirname, '../../fixtures/images');
const heif = createHeifWasmDecoder();
let upright: Buffer;
let rotated: Buffer;
/** lemur.jpg at the fixtures' size, the picture they were encoded from. */
let reference: RgbImage;

beforeAll(async () => {
  upright = await readFile(join(FIXTURES, 'lemur.heic'));
  rotated = await readFile(join(FIXTURES, 'lemur-rotated.heic'));
  const { data, info } = await sharp(join(FIXTURES, 'lemur.jpg'))
    .resize(170, 110)
    .raw()
    .toBuffer({ resolveWithObject: true });
  reference = { data, width: info.width, height: info.height };
});

async function turned(image: RgbImage, degrees: number): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .rotate(degrees)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function meanDifference(a: RgbImage, b: RgbImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
  return sum / a.data.length;
}

describe('HEIC decoding (libheif in WebAssembly)', () => {
  it('decodes a real HEIC to the picture it was made from', async () => {
    const decoded = await decodeImage(upright, { maxPixels: 1e6, label: 'lemur.heic', heif });
    expect(decoded.format).toBe('heif');
    expect(decoded.alpha).toBeUndefined();
    expect([decoded.rgb.width, decoded.rgb.height]).toEqual([170, 110]);
    // HEVC at quality 80: close, not exact.
    expect(meanDifference(decoded.rgb, reference)).toBeLessThan(4);
  });

  it('applies the rotation once: irot turns it clockwise and EXIF orientation is not applied again', async () => {
    const decoded = await decodeImage(rotated, { maxPixels: 1e6, label: 'portrait.heic', heif });
    expect([decoded.rgb.width, decoded.rgb.height]).toEqual([110, 170]);
    expect(meanDifference(decoded.rgb, await turned(reference, 90))).toBeLessThan(4);
    expect(meanDifference(decoded.rgb, await turned(reference, 270))).toBeGreaterThan(30);
  });

  it('refuses a picture over the pixel cap from its header, before decoding a pixel', async () => {
    let decodes = 0;
    const counting: HeifDecoder = {
      decode: (bytes, limits) => {
        decodes++;
        return heif.decode(bytes, limits);
      },
    };
    const error = await rejection(
      decodeImage(upright, { maxPixels: 170 * 110 - 1, label: 'big.heic', heif: counting }),
    );
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toMatch(/big\.heic.*170x110/);
    expect(decodes).toBe(0);
    // The adapter checks the container's size itself too.
    const direct = await rejection(heif.decode(rotated, { maxPixels: 1000, label: 'p.heic' }));
    expect(direct.code).toBe('INPUT_TOO_LARGE');
    expect(direct.message).toMatch(/110x170/);
  });

  it('reports a truncated HEIC as DECODE_FAILED naming the file', async () => {
    const cut = upright.subarray(0, 3000);
    const logged: unknown[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args) => {
      logged.push(...args);
    });
    try {
      const error = await rejection(decodeImage(cut, { maxPixels: 1e6, label: 'cut.heic', heif }));
      expect(error.code).toBe('DECODE_FAILED');
      expect(error.message).toContain('cut.heic');
      // libheif's own reason, not its console noise: the worker's stdout is JSON lines.
      expect(error.message).toMatch(/end of file/i);
    } finally {
      spy.mockRestore();
    }
    expect(logged).toEqual([]);
  });

  it('still refuses HEIC as UNSUPPORTED_MEDIA where no decoder is plugged in', async () => {
    const error = await rejection(decodeImage(upright, { maxPixels: 1e6, label: 'a.heic' }));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(error.message).toMatch(/HEIC \(HEVC\)/);
  });
});

describe('HEIC through the worker image processor (real ONNX, tiny model)', () => {
  const provider = createSegmenterProvider(tinyModelSettings());
  let segmenter: Segmenter;
  beforeAll(async () => {
    segmenter = await provider.get(await tinyModelPath());
  });
  afterAll(() => provider.close());

  it('cuts out a rotated HEIC upright, as the same picture given as PNG', async () => {
    const processor = createImageProcessor({ get: async () => segmenter });
    const context = {
      fileName: 'portrait.heic',
      signal: new AbortController().signal,
      onProgress: () => undefined,
    };
    const options = parseImageOptions({});
    const fromHeic = await processor(rotated, options, context);
    expect(fromHeic.contentType).toBe('image/png');
    const upright = await turned(reference, 90);
    const png = await sharp(upright.data, { raw: { width: 110, height: 170, channels: 3 } })
      .png()
      .toBuffer();
    const fromPng = await processor(png, options, { ...context, fileName: 'portrait.png' });
    const heicAlpha = await readAlpha(fromHeic.data);
    expect([heicAlpha.width, heicAlpha.height]).toEqual([110, 170]);
    // The tiny model keys on red, which the lemur has little of: its mask follows compression
    // noise, so the match is loose; the wrong way round it does not match at all.
    const same = maskIoU(heicAlpha, await readAlpha(fromPng.data));
    const wrongWay = await turned(reference, 270);
    const wrongPng = await sharp(wrongWay.data, { raw: { width: 110, height: 170, channels: 3 } })
      .png()
      .toBuffer();
    const wrong = maskIoU(
      heicAlpha,
      await readAlpha((await processor(wrongPng, options, context)).data),
    );
    expect(same).toBeGreaterThan(0.8);
    expect(wrong).toBeLessThan(same - 0.3);
  });

  it('takes a HEIC background image (bg_type=image)', async () => {
    const processor = createImageProcessor({ get: async () => segmenter });
    const subject = await sharp({
      create: { width: 60, height: 40, channels: 3, background: { r: 200, g: 20, b: 20 } },
    })
      .png()
      .toBuffer();
    const out = await processor(subject, parseImageOptions({ bg_type: 'image' }), {
      fileName: 'red.png',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      background: rotated,
    });
    const meta = await sharp(out.data).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([60, 40, 3]);
  });
});
