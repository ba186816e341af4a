import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseImageOptions } from '../../../../core/params/convert-params.ts';
import { removeBackground } from '../../../../core/pipeline/remove-background.ts';
import { createFakeSegmenter } from '../../../support/fake-segmenter.ts';

/** 64x48 PNG: a red square (the fake model's foreground) on grey. */
async function redSquarePng(): Promise<Buffer> {
  const data = new Uint8Array(64 * 48 * 3).fill(120);
  for (let y = 12; y < 36; y++) {
    for (let x = 20; x < 44; x++) data.set([220, 20, 20], (y * 64 + x) * 3);
  }
  return sharp(data, { raw: { width: 64, height: 48, channels: 3 } })
    .png()
    .toBuffer();
}

const segmenter = createFakeSegmenter({ inputSize: 32 });
const options = parseImageOptions({ alpha_matting: true, alpha_erode: 3 });

describe('removeBackground: the matting cap', () => {
  it('mattes under the unknown-pixel cap and falls back to the plain cut-out over it', async () => {
    const image = await redSquarePng();
    const matted = await removeBackground({ image, options, fileName: 'sq.png' }, { segmenter });
    expect(matted.warnings).toEqual([]);

    const capped = await removeBackground(
      { image, options, fileName: 'sq.png' },
      { segmenter, maxUnknownPixels: 10 },
    );
    expect(capped.warnings).toHaveLength(1);
    expect(capped.warnings[0]).toMatch(
      /^sq\.png: alpha matting skipped: \d+ unknown pixels, over the limit of 10 .*; the plain mask was used$/,
    );
    // The fallback is the plain cut-out: what the same request gives without matting.
    const plain = await removeBackground(
      { image, options: parseImageOptions({}), fileName: 'sq.png' },
      { segmenter },
    );
    expect(Buffer.compare(capped.data, plain.data)).toBe(0);
    expect(Buffer.compare(capped.data, matted.data)).not.toBe(0);
  });
});
