import { describe, expect, it } from 'vitest';
import type { Mask, RgbImage } from '../../../../core/image/raster.ts';
import { despill } from '../../../../core/pipeline/despill.ts';

type Rgb = readonly [number, number, number];
const GREEN: Rgb = [0, 200, 0];
const RED: Rgb = [200, 0, 0];
const BLUE: Rgb = [0, 0, 255];

/** 30x6: columns 0-9 background, 10 a soft edge of alpha `edge`, 11-29 subject. */
function scene(edge: number, colourAt: (x: number) => Rgb) {
  const width = 30;
  const height = 6;
  const rgb = new Uint8Array(width * height * 3);
  const alpha = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      rgb.set(colourAt(x), i * 3);
      alpha[i] = x < 10 ? 0 : x === 10 ? edge : 255;
    }
  }
  return {
    image: { data: rgb, width, height } satisfies RgbImage,
    mask: { data: alpha, width, height } satisfies Mask,
  };
}

const mix = (a: number, f: Rgb, b: Rgb): Rgb =>
  [0, 1, 2].map((c) => Math.round(a * (f[c] ?? 0) + (1 - a) * (b[c] ?? 0))) as unknown as Rgb;

const pixel = (image: RgbImage, x: number, y = 0) => [
  ...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3),
];

describe('despill', () => {
  it('takes the background share out of an edge pixel: green bleed on a red subject', () => {
    const edge = mix(0.5, RED, GREEN);
    const { image, mask } = scene(128, (x) => (x < 10 ? GREEN : x === 10 ? edge : RED));
    const out = despill(image, mask);
    expect(out.background).toEqual({ r: 0, g: 200, b: 0 });
    const [r, g, b] = pixel(out.rgb, 10, 3);
    // (C - (1 - a) B) / a with a = 128/255: back to red within rounding.
    expect(Math.abs((r ?? 0) - 200)).toBeLessThanOrEqual(2);
    expect(g).toBeLessThanOrEqual(2);
    expect(b).toBe(0);
    // Opaque and transparent pixels keep their colours.
    expect(pixel(out.rgb, 11)).toEqual([...RED]);
    expect(pixel(out.rgb, 3)).toEqual([...GREEN]);
    // The input is not changed in place.
    expect(pixel(image, 10)).toEqual([...edge]);
  });

  it('clamps what unmixing pushes past 0..255', () => {
    // At alpha 64/255: green has less than the background's share (negative), red far more
    // than a quarter-covering subject could give (over 255); blue is in range: 40 / a.
    const { image, mask } = scene(64, (x) => (x < 10 ? GREEN : x === 10 ? [250, 20, 40] : RED));
    const out = despill(image, mask);
    const [r, g, b] = pixel(out.rgb, 10);
    expect(g).toBe(0);
    expect(r).toBe(255);
    expect(b).toBe(Math.round((40 * 255) / 64));
  });

  it('samples only the removed pixels near the subject', () => {
    // Column 0 lies 10 pixels from the kept edge: its blue must not reach the estimate.
    const { image, mask } = scene(128, (x) => (x === 0 ? BLUE : x < 10 ? GREEN : RED));
    expect(despill(image, mask).background).toEqual({ r: 0, g: 200, b: 0 });
  });

  it('does not sample pixels the input itself made transparent', () => {
    const { image, mask } = scene(128, (x) => (x < 5 ? BLUE : x < 10 ? GREEN : RED));
    const inputAlpha = { ...mask, data: mask.data.map((_, i) => (i % 30 < 5 ? 0 : 255)) };
    expect(despill(image, mask).background).not.toEqual({ r: 0, g: 200, b: 0 });
    expect(despill(image, mask, inputAlpha).background).toEqual({ r: 0, g: 200, b: 0 });
  });

  it('changes nothing when no background was removed', () => {
    const { image, mask } = scene(128, (x) => (x < 10 ? GREEN : RED));
    const kept = { ...mask, data: mask.data.map((v) => Math.max(v, 100)) };
    const out = despill(image, kept);
    expect(out.background).toBeUndefined();
    expect(out.rgb).toBe(image);
  });
});
