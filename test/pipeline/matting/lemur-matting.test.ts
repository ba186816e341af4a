import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Mask, RgbImage } from '../../../core/image/raster.ts';
import { matteWithTrimap } from '../../../core/matting/matte-trimap.ts';
import { parseImageOptions } from '../../../core/params/convert-params.ts';
import { removeBackground } from '../../../core/pipeline/remove-background.ts';
import type { Segmenter } from '../../../core/ports.ts';
import { matteCommand } from '../../../local/commands/matte.ts';
import { maskIoU, readAlpha, readGray } from '../../support/image-assert.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const PHOTO = path.join(FIXTURES, 'images/lemur.jpg');
const TRIMAP = path.join(FIXTURES, 'matting/lemur-340-trimap.png');
const W = 340;
const H = 220;

let image: RgbImage;
let trimap: Mask;
/** pymatting's published alpha for this photo and trimap, thresholded (see ../../fixtures/images). */
let reference: Mask;
let tmp: string;

beforeAll(async () => {
  const rgb = await sharp(PHOTO)
    .removeAlpha()
    .resize(W, H, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  image = { data: new Uint8Array(rgb), width: W, height: H };
  trimap = await readGray(TRIMAP);
  const ref = await sharp(path.join(FIXTURES, 'images/lemur-mask.png'))
    .extractChannel(0)
    .resize(W, H, { kernel: 'nearest' })
    .raw()
    .toBuffer();
  reference = { data: new Uint8Array(ref), width: W, height: H };
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cutout-matting-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function checkAgainstTrimap(alpha: Mask): void {
  let unknown = 0;
  let soft = 0;
  let jumps = 0;
  for (let p = 0; p < alpha.data.length; p++) {
    const t = trimap.data[p] as number;
    const a = alpha.data[p] as number;
    if (t === 0) expect(a).toBe(0);
    else if (t === 255) expect(a).toBe(255);
    else {
      unknown++;
      if (a > 0 && a < 255) soft++;
      // Unknown band is smooth: a jump of more than half the range between horizontal
      // neighbours would be a solver artefact, not hair.
      const x = p % W;
      if (x > 0 && Math.abs(a - (alpha.data[p - 1] as number)) > 128) jumps++;
    }
  }
  expect(unknown).toBeGreaterThan(5000);
  expect(soft / unknown).toBeGreaterThan(0.3);
  expect(jumps / unknown).toBeLessThan(0.01);
  expect(maskIoU(alpha, reference)).toBeGreaterThan(0.97);
}

describe('alpha matting on a real photo (lemur, CC0)', () => {
  it('mattes with the given trimap: known pixels kept, soft band, close to pymatting', () => {
    const result = matteWithTrimap(image, trimap);
    expect(result.alpha.width).toBe(W);
    checkAgainstTrimap(result.alpha);
    expect(result.timings.unknownPixels).toBeGreaterThan(5000);
  });

  it('`cutout matte` writes the alpha and foreground PNGs and one timings line', async () => {
    const photo = path.join(tmp, 'lemur.png');
    await sharp(image.data, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toFile(photo);
    const alphaFile = path.join(tmp, 'alpha.png');
    const fgFile = path.join(tmp, 'fg.png');
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      await matteCommand().parseAsync(
        [photo, TRIMAP, '-o', alphaFile, '--foreground', fgFile, '--timings'],
        { from: 'user' },
      );
    } finally {
      spy.mockRestore();
    }
    const timings = JSON.parse(writes.join('').trim()) as Record<string, number>;
    expect(Object.keys(timings)).toEqual(['unknownPixels', 'alphaMs', 'foregroundMs']);
    expect(timings.unknownPixels).toBeGreaterThan(5000);
    checkAgainstTrimap(await readGray(alphaFile));
    const fg = await sharp(fgFile).metadata();
    expect([fg.width, fg.height, fg.channels]).toEqual([W, H, 3]);
  });

  it('`cutout matte` names the trimap when it has no foreground', async () => {
    const photo = path.join(tmp, 'lemur2.png');
    await sharp(image.data, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toFile(photo);
    const empty = path.join(tmp, 'empty-trimap.png');
    await sharp(new Uint8Array(W * H).fill(128), { raw: { width: W, height: H, channels: 1 } })
      .png()
      .toFile(empty);
    await expect(
      matteCommand().parseAsync([photo, empty, '-o', path.join(tmp, 'x.png')], { from: 'user' }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^trimap: /),
    });
  });

  it('removeBackground with alpha_matting=true softens the model mask into a matte', async () => {
    // A stand-in model whose output is the lemur's reference mask: the rest of the pipeline
    // (decode, mask resize, trimap, matting, cut-out, PNG) is the real one.
    const size = 64;
    const small = await sharp(reference.data, { raw: { width: W, height: H, channels: 1 } })
      .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
      .extractChannel(0)
      .raw()
      .toBuffer();
    const segmenter: Segmenter = {
      spec: { id: 'lemur-mask', inputSize: size, mean: [0, 0, 0], std: [1, 1, 1] },
      maxBatch: 1,
      infer: async () => Float32Array.from(small, (v) => v / 255),
    };
    const photo = await sharp(image.data, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toBuffer();
    const run = (fields: Record<string, string>) =>
      removeBackground(
        { image: photo, options: parseImageOptions(fields), fileName: 'lemur.png' },
        { segmenter },
      );
    const plain = await run({});
    const matted = await run({ alpha_matting: 'true', alpha_erode: '6' });
    expect(matted.warnings, matted.warnings.join()).toEqual([]);
    const plainAlpha = await readAlpha(plain.data);
    const alpha = await readAlpha(matted.data);
    expect(maskIoU(alpha, reference)).toBeGreaterThan(0.9);
    let changed = 0;
    for (let p = 0; p < alpha.data.length; p++) if (alpha.data[p] !== plainAlpha.data[p]) changed++;
    expect(changed).toBeGreaterThan(1000);
    // The straight-alpha RGB at the soft edge carries estimated foreground colours, not the
    // blended input pixels.
    const rgba = await sharp(matted.data).raw().toBuffer();
    let soft = 0;
    let recoloured = 0;
    for (let p = 0; p < W * H; p++) {
      const a = rgba[p * 4 + 3] as number;
      if (a === 0 || a === 255) continue;
      soft++;
      const same = [0, 1, 2].every((c) => rgba[p * 4 + c] === image.data[p * 3 + c]);
      if (!same) recoloured++;
    }
    expect(soft).toBeGreaterThan(1000);
    expect(recoloured / soft).toBeGreaterThan(0.5);
  });
});
