import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { parseImageOptions, type RawFields } from '../../../core/params/convert-params.ts';
import { removeBackground } from '../../../core/pipeline/remove-background.ts';
import { subjectBox } from '../../../core/pipeline/subject-box.ts';
import type { Segmenter } from '../../../core/ports.ts';
import { readAlpha, readGray } from '../../support/image-assert.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';

// The output controls through the real pipeline: the tiny ONNX model (foreground where red
// dominates), real sharp decoding and encoding.
const provider = createSegmenterProvider(tinyModelSettings());
let segmenter: Segmenter;
let lemur: Buffer;
beforeAll(async () => {
  segmenter = await provider.get(await tinyModelPath());
  lemur = await readFile(new URL('../../fixtures/images/lemur.jpg', import.meta.url));
});
afterAll(() => provider.close());

const W = 300;
const H = 200;
// A red square 80x60 at (100, 50) on blue-grey: its box is known exactly.
const SQUARE = { x: 100, y: 50, width: 80, height: 60 };

function squareScene(): Promise<Buffer> {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside =
        x >= SQUARE.x &&
        x < SQUARE.x + SQUARE.width &&
        y >= SQUARE.y &&
        y < SQUARE.y + SQUARE.height;
      data.set(inside ? [220, 20, 30] : [90, 110, 140], (y * W + x) * 3);
    }
  }
  return sharp(data, { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toBuffer();
}

async function run(image: Uint8Array, fields: RawFields, backgroundImage?: Uint8Array) {
  return removeBackground(
    {
      image,
      options: parseImageOptions(fields),
      fileName: 'scene.png',
      ...(backgroundImage ? { backgroundImage } : {}),
    },
    { segmenter },
  );
}

/** Within `slack` pixels on each edge (the model's mask is resized with Lanczos). */
function expectNearBox(
  actual: { x: number; y: number; width: number; height: number } | null | undefined,
  expected: { x: number; y: number; width: number; height: number },
  slack = 3,
) {
  expect(actual).toBeTruthy();
  if (!actual) return;
  expect(Math.abs(actual.x - expected.x)).toBeLessThanOrEqual(slack);
  expect(Math.abs(actual.y - expected.y)).toBeLessThanOrEqual(slack);
  expect(Math.abs(actual.x + actual.width - (expected.x + expected.width))).toBeLessThanOrEqual(
    slack,
  );
  expect(Math.abs(actual.y + actual.height - (expected.y + expected.height))).toBeLessThanOrEqual(
    slack,
  );
}

describe('output controls on the image pipeline', () => {
  it("reports the subject's box on a default run, matching the output's own alpha", async () => {
    const out = await run(await squareScene(), {});
    expectNearBox(out.subject, SQUARE);
    expect(out.subject).toEqual(subjectBox(await readAlpha(out.data)));
  });

  it('crops to the subject, with a pixel or percent margin', async () => {
    const scene = await squareScene();
    const tight = await run(scene, { crop: 'true' });
    expectNearBox(
      { x: 0, y: 0, width: tight.width, height: tight.height },
      { x: 0, y: 0, width: SQUARE.width, height: SQUARE.height },
    );
    expect(tight.subject).toEqual({ x: 0, y: 0, width: tight.width, height: tight.height });
    const meta = await sharp(tight.data).metadata();
    expect([meta.width, meta.height]).toEqual([tight.width, tight.height]);

    const px = await run(scene, { crop: 'true', crop_margin: '10' });
    expect([px.width, px.height]).toEqual([tight.width + 20, tight.height + 20]);
    expect(px.subject).toEqual({ x: 10, y: 10, width: tight.width, height: tight.height });

    const pct = await run(scene, { crop: 'true', crop_margin: '50%' });
    expect(pct.width).toBe(tight.width + 2 * Math.round(tight.width / 2));
    expect(pct.height).toBe(tight.height + 2 * Math.round(tight.height / 2));
  });

  it('scales and places the subject over a colour background', async () => {
    const scene = await squareScene();
    // Half the canvas: the 80x60 box fits 150x100 at 5/3, about 133x100, centred.
    const half = await run(scene, { bg_type: 'color', bg_color_value: 'white', scale: '50%' });
    expect([half.width, half.height]).toEqual([W, H]);
    expect(half.subject?.height ?? 0).toBeGreaterThanOrEqual(96);
    expect(half.subject?.height ?? 0).toBeLessThanOrEqual(104);
    expectNearBox(half.subject, { x: 83, y: 50, width: 133, height: 100 }, 5);
    const { data } = await sharp(half.data).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 3)]).toEqual([255, 255, 255]);
    const centre = ((H / 2) * W + W / 2) * 3;
    expect(data[centre]).toBeGreaterThan(180); // the red subject, now in the middle

    const bottom = await run(scene, { bg_type: 'color', position: 'bottom' });
    expectNearBox(bottom.subject, { x: 110, y: H - 60, width: 80, height: 60 });
  });

  it('bounds the size by longest side or megapixels, never upscaling', async () => {
    const scene = await squareScene();
    const side = await run(scene, { size: '150' });
    expect([side.width, side.height]).toEqual([150, 100]);
    expectNearBox(side.subject, { x: 50, y: 25, width: 40, height: 30 }, 2);
    const mp = await run(scene, { size: '0.015mp' });
    expect(mp.width * mp.height).toBeLessThanOrEqual(15_000);
    expect(mp.width * mp.height).toBeGreaterThan(14_000);
    const big = await run(scene, { size: '4096' });
    expect([big.width, big.height]).toEqual([W, H]);
  });

  it('crops, then fits a background image to the cropped size', async () => {
    const bg = await sharp({
      create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 200, b: 0 } },
    })
      .png()
      .toBuffer();
    const out = await run(
      await squareScene(),
      { bg_type: 'image', crop: 'true', crop_margin: '20' },
      bg,
    );
    expect(out.width).toBeGreaterThan(SQUARE.width + 30);
    expect(out.width).toBeLessThan(SQUARE.width + 50);
    const { data, info } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([out.width, out.height, 3]);
    // The corner is the green background (under the tiny model's faint haze of alpha).
    expect(data[1]).toBeGreaterThan(180);
    expect(Math.max(data[0] ?? 255, data[2] ?? 255)).toBeLessThan(30);
  });

  it('warns and leaves the image whole when there is no subject to crop', async () => {
    const grey = await sharp({
      create: { width: 40, height: 30, channels: 3, background: { r: 90, g: 110, b: 140 } },
    })
      .png()
      .toBuffer();
    const out = await run(grey, { crop: 'true' });
    expect([out.width, out.height, out.subject]).toEqual([40, 30, null]);
    expect(out.warnings.join('\n')).toContain('no subject found');
  });
});

describe('output_format and channels on the lemur fixture', () => {
  it.each([
    [{}, 'png', 'image/png', true],
    [{ output_format: 'webp' }, 'webp', 'image/webp', true],
    [
      { output_format: 'jpg', bg_type: 'color', bg_color_value: '#0f0' },
      'jpeg',
      'image/jpeg',
      false,
    ],
    [{ output_format: 'png', bg_type: 'color', bg_color_value: 'navy' }, 'png', 'image/png', false],
  ] as const)('%j encodes as %s', async (fields, format, contentType, hasAlpha) => {
    const out = await run(lemur, fields);
    expect(out.contentType).toBe(contentType);
    const meta = await sharp(out.data).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual([
      format,
      680,
      440,
      hasAlpha,
    ]);
  });

  it('writes channels=alpha as a one-band grayscale PNG equal to the cut-out alpha', async () => {
    const rgba = await run(lemur, {});
    const alphaOnly = await run(lemur, { channels: 'alpha', output_format: 'webp' });
    expect([alphaOnly.format, alphaOnly.contentType]).toEqual(['png', 'image/png']);
    const meta = await sharp(alphaOnly.data).metadata();
    expect([meta.format, meta.channels, meta.hasAlpha]).toEqual(['png', 1, false]);
    expect((await readGray(alphaOnly.data)).data).toEqual((await readAlpha(rgba.data)).data);
  });

  it('keeps the default output byte-identical to an explicit png/rgba request', async () => {
    const plain = await run(lemur, {});
    const explicit = await run(lemur, { output_format: 'png', channels: 'rgba', crop: 'false' });
    expect(Buffer.compare(plain.data, explicit.data)).toBe(0);
  });
});
