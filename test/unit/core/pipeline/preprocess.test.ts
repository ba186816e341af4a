import { describe, expect, it } from 'vitest';
import {
  resizeForModel,
  toModelTensor,
  writeModelTensor,
} from '../../../../core/pipeline/preprocess.ts';

const IMAGENET = {
  mean: [0.485, 0.456, 0.406] as const,
  std: [0.229, 0.224, 0.225] as const,
};

describe('writeModelTensor', () => {
  it('divides by the image maximum, then applies mean/std per channel, planar', () => {
    // Two pixels: (100, 50, 0) and (200, 0, 25); the maximum is 200.
    const image = { data: Uint8Array.from([100, 50, 0, 200, 0, 25]), width: 2, height: 1 };
    const out = new Float32Array(6);
    writeModelTensor(image, IMAGENET, out, 0);
    const expected = [
      (0.5 - 0.485) / 0.229,
      (1 - 0.485) / 0.229,
      (0.25 - 0.456) / 0.224,
      (0 - 0.456) / 0.224,
      (0 - 0.406) / 0.225,
      (0.125 - 0.406) / 0.225,
    ];
    for (const [i, v] of expected.entries()) expect(out[i]).toBeCloseTo(v, 5);
  });

  it('brightens a dark image to the full range (maximum 128 maps to 1)', () => {
    const image = { data: Uint8Array.from([128, 64, 32]), width: 1, height: 1 };
    const out = new Float32Array(3);
    writeModelTensor(image, { mean: [0, 0, 0], std: [1, 1, 1] }, out, 0);
    expect([...out]).toEqual([1, 0.5, 0.25]);
  });

  it('keeps an all-black image finite (no division by zero)', () => {
    const image = { data: new Uint8Array(3), width: 1, height: 1 };
    const out = new Float32Array(3);
    writeModelTensor(image, IMAGENET, out, 0);
    expect(out[0]).toBeCloseTo(-0.485 / 0.229, 5);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('divides by 255, not by the maximum, when divideByMax is false (imgly: (v - 128) / 256)', () => {
    const image = { data: Uint8Array.from([128, 64, 32, 0, 255, 96]), width: 2, height: 1 };
    const out = new Float32Array(6);
    const mean = 128 / 255;
    const std = 256 / 255;
    writeModelTensor(
      image,
      { mean: [mean, mean, mean], std: [std, std, std], divideByMax: false },
      out,
      0,
    );
    const expected = [0, -0.5, -0.25, 127 / 256, -0.375, -0.125];
    for (const [i, v] of expected.entries()) expect(out[i]).toBeCloseTo(v, 6);
    // The same dark image with the default is brightened first: 128 is the maximum, so it maps to 1.
    writeModelTensor(image, { mean: [0, 0, 0], std: [1, 1, 1], divideByMax: true }, out, 0);
    expect(out[0]).toBeCloseTo(128 / 255, 6);
  });

  it('writes the second image of a batch after the first one (NCHW)', () => {
    const a = { data: Uint8Array.from([255, 0, 0]), width: 1, height: 1 };
    const b = { data: Uint8Array.from([0, 0, 255]), width: 1, height: 1 };
    const out = toModelTensor([a, b], { mean: [0, 0, 0], std: [1, 1, 1], inputSize: 1 });
    expect([...out]).toEqual([1, 0, 0, 0, 0, 1]);
  });
});

describe('resizeForModel', () => {
  it('stretches to size x size regardless of the aspect ratio', async () => {
    const image = { data: new Uint8Array(40 * 10 * 3).fill(77), width: 40, height: 10 };
    const out = await resizeForModel(image, 16);
    expect([out.width, out.height, out.data.length]).toEqual([16, 16, 16 * 16 * 3]);
    expect(out.data.every((v) => v === 77)).toBe(true);
  });

  it('uses the kernel asked for: bilinear has no Lanczos ringing at a step', async () => {
    // One row 0,0,0,0,200,200,200,200 halved to 4 pixels (the row is stretched to 4 rows).
    const data = new Uint8Array(8 * 3);
    data.fill(200, 12);
    const row = async (kernel?: 'bilinear' | 'lanczos3' | 'bilinear-corner') => {
      const out = await resizeForModel({ data, width: 8, height: 1 }, 4, kernel);
      return [0, 1, 2, 3].map((x) => out.data[x * 3]);
    };
    expect(await row('bilinear')).toEqual([0, 13, 100, 188]);
    expect(await row('lanczos3')).toEqual([0, 0, 100, 207]);
    expect(await row()).toEqual([0, 0, 100, 207]);
    // imgly's sampling reads source x * 2 exactly: pixels 0, 2, 4, 6.
    expect(await row('bilinear-corner')).toEqual([0, 0, 200, 200]);
  });

  it('maps the left half of the image to the left half of the model input', async () => {
    const width = 64;
    const data = new Uint8Array(width * 8 * 3);
    for (let y = 0; y < 8; y++) for (let x = 0; x < width / 2; x++) data[(y * width + x) * 3] = 255;
    const out = await resizeForModel({ data, width, height: 8 }, 16);
    expect(out.data[(8 * 16 + 2) * 3]).toBe(255);
    expect(out.data[(8 * 16 + 13) * 3]).toBe(0);
  });
});
