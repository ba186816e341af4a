import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import type { Mask } from '../../../core/image/raster.ts';
import { parseImageOptions, type RawFields } from '../../../core/params/convert-params.ts';
import { removeBackground } from '../../../core/pipeline/remove-background.ts';
import type { Segmenter } from '../../../core/ports.ts';
import { readAlpha, readGray } from '../../support/image-assert.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';

/** mask_shift, mask_feather and despill through the image pipeline: real sharp, real ONNX (tiny model). */

const provider = createSegmenterProvider(tinyModelSettings());
let segmenter: Segmenter;
let disc: Buffer;
beforeAll(async () => {
  segmenter = await provider.get(await tinyModelPath());
  disc = await scene();
});
afterAll(() => provider.close());

const W = 200;
const H = 160;
const CX = 100;
const CY = 80;
const R = 50;
const GREEN = [40, 190, 60];
const RED = [210, 30, 40];

/** A red disc on green, its rim blended over 6 pixels as a photo's would be: green bleeds into the edge. */
function scene(): Promise<Buffer> {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = Math.hypot(x - CX, y - CY);
      const a = Math.min(1, Math.max(0, (R + 3 - d) / 6));
      for (let c = 0; c < 3; c++) {
        data[(y * W + x) * 3 + c] = Math.round(a * (RED[c] ?? 0) + (1 - a) * (GREEN[c] ?? 0));
      }
    }
  }
  return sharp(data, { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toBuffer();
}

async function run(fields: RawFields, image: Buffer = disc) {
  return removeBackground(
    { image, options: parseImageOptions(fields), fileName: 'disc.png' },
    { segmenter },
  );
}

/** Alpha along the row through the centre, from the centre outwards. */
function radial(alpha: Mask): number[] {
  return Array.from({ length: W - CX }, (_, i) => alpha.data[CY * W + CX + i] ?? 0);
}

/** Where the alpha first falls under half, going out from the centre. */
const edgeOf = (alpha: Mask) => radial(alpha).findIndex((v) => v < 128);

const softCount = (alpha: Mask) => alpha.data.filter((v) => v > 10 && v < 245).length;

describe('mask refinement in the image pipeline', () => {
  it('leaves the output byte-identical at the defaults, given or not', async () => {
    const plain = await run({});
    const explicit = await run({ mask_shift: '0', mask_feather: '0', despill: 'false' });
    expect(Buffer.compare(plain.data, explicit.data)).toBe(0);
    expect(plain.warnings).toEqual([]);
  });

  it('mask_shift moves the edge out or in by that many pixels', async () => {
    const edge = edgeOf(await readAlpha((await run({})).data));
    expect(edge).toBeGreaterThan(R - 5);
    expect(edgeOf(await readAlpha((await run({ mask_shift: 8 })).data))).toBe(edge + 8);
    expect(edgeOf(await readAlpha((await run({ mask_shift: -8 })).data))).toBe(edge - 8);
  });

  it('mask_feather widens the soft edge', async () => {
    const hard = softCount(await readAlpha((await run({})).data));
    const soft = softCount(await readAlpha((await run({ mask_feather: 30 })).data));
    expect(soft).toBeGreaterThan(hard * 3);
  });

  it('refines the mask alone too (only_mask)', async () => {
    const plain = await readGray((await run({ only_mask: true })).data);
    const grown = await readGray((await run({ only_mask: true, mask_shift: 10 })).data);
    expect(edgeOf(grown)).toBe(edgeOf(plain) + 10);
  });

  it('despill takes the green out of the soft edge and leaves opaque pixels alone', async () => {
    const plain = await sharp((await run({})).data)
      .raw()
      .toBuffer();
    const despilled = await sharp((await run({ despill: true })).data)
      .raw()
      .toBuffer();
    let before = 0;
    let after = 0;
    let edgePixels = 0;
    for (let i = 0; i < W * H; i++) {
      const a = plain[i * 4 + 3] ?? 0;
      if (a === 255) expect(despilled[i * 4 + 1]).toBe(plain[i * 4 + 1]);
      if (a < 40 || a > 215) continue;
      // Green's excess over blue: the background's share (the subject has little of either).
      before += (plain[i * 4 + 1] ?? 0) - (plain[i * 4 + 2] ?? 0);
      after += (despilled[i * 4 + 1] ?? 0) - (despilled[i * 4 + 2] ?? 0);
      edgePixels++;
    }
    expect(edgePixels).toBeGreaterThan(100);
    expect(before / edgePixels).toBeGreaterThan(40);
    // The tiny model's alpha only roughly matches the true blend, so not all of it goes.
    expect(after / edgePixels).toBeLessThan(before / edgePixels / 2);
  });

  it('skips despill with a warning when alpha matting already estimated the edge colours', async () => {
    const out = await run({ despill: true, alpha_matting: true });
    expect(out.warnings).toContainEqual(
      expect.stringMatching(/disc\.png: despill skipped: alpha matting/),
    );
  });

  it('names the field of a bad value', () => {
    expect(() => parseImageOptions({ mask_shift: '21' })).toThrow(/mask_shift.*-20 to 20/);
    expect(() => parseImageOptions({ mask_feather: '-1' })).toThrow(/mask_feather.*0 to 50/);
    expect(() => parseImageOptions({ despill: 'maybe' })).toThrow(/despill.*true or false/);
  });
});
