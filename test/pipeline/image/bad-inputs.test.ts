import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { parseImageOptions } from '../../../core/params/convert-params.ts';
import { removeBackground } from '../../../core/pipeline/remove-background.ts';
import type { Segmenter } from '../../../core/ports.ts';
import { pngClaiming, TEXT_NOT_IMAGE, truncatedJpeg } from '../../support/bad-images.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';

const provider = createSegmenterProvider(tinyModelSettings());
let segmenter: Segmenter;
beforeAll(async () => {
  segmenter = await provider.get(await tinyModelPath());
});
afterAll(() => provider.close());

const run = (image: Uint8Array, fileName: string) =>
  removeBackground({ image, options: parseImageOptions({}), fileName }, { segmenter });

describe('removeBackground on bad inputs (tiny ONNX model)', () => {
  it('says a zero-byte file is empty', async () => {
    await expect(run(new Uint8Array(0), 'zero.png')).rejects.toMatchObject({
      code: 'DECODE_FAILED',
      message: 'zero.png: the file is empty (0 bytes)',
    });
  });

  it('says a truncated JPEG is corrupt or truncated', async () => {
    await expect(run(await truncatedJpeg(), 'cut.jpg')).rejects.toMatchObject({
      code: 'DECODE_FAILED',
      message: expect.stringMatching(/^cut\.jpg: the jpeg data is corrupt or truncated/),
    });
  });

  it('says a text file named .png is not an image', async () => {
    await expect(run(TEXT_NOT_IMAGE, 'notes.png')).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
      message: expect.stringMatching(/^notes\.png: not an image/),
    });
  });

  it('refuses a 30000x30000 PNG header as too large, naming the file and size', async () => {
    await expect(run(pngClaiming(30000, 30000), 'bomb.png')).rejects.toMatchObject({
      code: 'INPUT_TOO_LARGE',
      message: 'bomb.png: 30000x30000 is 900.0 megapixels, over the limit of 64.0 megapixels',
    });
  });

  it('says which model id is unknown', async () => {
    await expect(provider.get('no-such-model')).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringContaining('no-such-model'),
    });
  });

  it('names the field of an out-of-range parameter', () => {
    expect(() => parseImageOptions({ alpha_fg: 300 })).toThrow(
      "alpha_fg: must be an integer from 0 to 255, got '300'",
    );
    expect(() => parseImageOptions({ bg_color_value: 'blue-ish' })).toThrow(/^bg_color_value: /);
  });

  it('still processes a good image after all of these', async () => {
    const png = await sharp({
      create: { width: 20, height: 10, channels: 3, background: { r: 200, g: 20, b: 20 } },
    })
      .png()
      .toBuffer();
    const out = await run(png, 'good.png');
    expect([out.width, out.height]).toEqual([20, 10]);
  });
});
