import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import type { Mask } from '../../../core/image/raster.ts';
import { parseImageOptions } from '../../../core/params/convert-params.ts';
import { removeBackground } from '../../../core/pipeline/remove-background.ts';
import { segmentImages } from '../../../core/pipeline/segment-images.ts';
import type { Segmenter } from '../../../core/ports.ts';
import { maskIoU, readAlpha, readGray } from '../../support/image-assert.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';

// The generated tiny model in a real ONNX session: foreground where red dominates.
const provider = createSegmenterProvider(tinyModelSettings());
let segmenter: Segmenter;
beforeAll(async () => {
  segmenter = await provider.get(await tinyModelPath());
});
afterAll(() => provider.close());

const W = 300;
const H = 200;
const inDisc = (x: number, y: number) => (x - 110) ** 2 + (y - 90) ** 2 < 60 ** 2;

/** A red disc on a blue-grey background, and the mask it should give. */
function scene(): { png: Promise<Buffer>; truth: Mask } {
  const data = new Uint8Array(W * H * 3);
  const truth = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const disc = inDisc(x, y);
      data.set(disc ? [210, 30, 40] : [90, 110, 140], i * 3);
      truth[i] = disc ? 255 : 0;
    }
  }
  return {
    png: sharp(data, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toBuffer(),
    truth: { data: truth, width: W, height: H },
  };
}

describe('removeBackground with the tiny ONNX model', () => {
  it('keeps the red disc and removes the background, at full resolution', async () => {
    const { png, truth } = scene();
    const out = await removeBackground(
      { image: await png, options: parseImageOptions({}), fileName: 'disc.png' },
      { segmenter },
    );
    expect([out.width, out.height, out.format]).toEqual([W, H, 'png']);
    expect(out.modelId).toBe(segmenter.spec.id);
    const alpha = await readAlpha(out.data);
    expect(maskIoU(alpha, truth)).toBeGreaterThan(0.97);
    expect(alpha.data[90 * W + 110]).toBeGreaterThan(250);
    // Not 0: Lanczos ringing at the disc's edge gives the map its minimum, not the background.
    expect(alpha.data[5 * W + 290]).toBeLessThan(64);
  });

  it('writes the mask alone with only_mask, matching the cut-out alpha', async () => {
    const { png, truth } = scene();
    const out = await removeBackground(
      { image: await png, options: parseImageOptions({ only_mask: true }) },
      { segmenter },
    );
    const mask = await readGray(out.data);
    expect([mask.width, mask.height]).toEqual([W, H]);
    expect(maskIoU(mask, truth)).toBeGreaterThan(0.97);
  });

  it('puts the disc on white with bg_type=color as opaque RGB in WebP', async () => {
    const { png } = scene();
    const out = await removeBackground(
      { image: await png, options: parseImageOptions({ bg_type: 'color', output_format: 'webp' }) },
      { segmenter },
    );
    const meta = await sharp(out.data).metadata();
    expect([meta.format, meta.hasAlpha]).toEqual(['webp', false]);
    const { data } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true });
    const corner = (5 * W + 290) * 3;
    // The background (90,110,140) is mostly replaced by white; the disc stays red.
    expect(
      Math.min(data[corner] ?? 0, data[corner + 1] ?? 0, data[corner + 2] ?? 0),
    ).toBeGreaterThan(220);
    const centre = (90 * W + 110) * 3;
    expect(data[centre]).toBeGreaterThan(190);
    expect(data[centre + 1]).toBeLessThan(60);
  });

  it('segments several images in one batched run', async () => {
    expect(segmenter.maxBatch).toBeGreaterThan(1);
    const { data } = await sharp(await scene().png)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image = { data, width: W, height: H };
    const small = { data: new Uint8Array(40 * 30 * 3).fill(200), width: 40, height: 30 };
    const masks = await segmentImages(segmenter, [image, small, image]);
    expect(masks.map((m) => [m.width, m.height])).toEqual([
      [W, H],
      [40, 30],
      [W, H],
    ]);
    expect(masks[0]?.data).toEqual(masks[2]?.data);
  });
});
