import { describe, expect, it } from 'vitest';
import {
  composeOverColor,
  composeOverImage,
} from '../../../../core/pipeline/compose-background.ts';
import { cutoutRgba, multiplyMasks } from '../../../../core/pipeline/compose-cutout.ts';

const pixel = (r: number, g: number, b: number) => ({
  data: Uint8Array.from([r, g, b]),
  width: 1,
  height: 1,
});
const alpha = (...values: number[]) => ({
  data: Uint8Array.from(values),
  width: values.length,
  height: 1,
});

describe('cutoutRgba', () => {
  it('keeps RGB untouched and puts the mask in A (straight alpha, no darkening)', () => {
    const image = { data: Uint8Array.from([200, 100, 50, 10, 20, 30]), width: 2, height: 1 };
    expect([...cutoutRgba(image, alpha(64, 0))]).toEqual([200, 100, 50, 64, 10, 20, 30, 0]);
  });
});

describe('composeOverColor', () => {
  it('blends with straight alpha over an opaque colour and returns opaque RGB', () => {
    // The reference's darkened cut-out gives (204,197,194) here; straight alpha gives (241,216,204).
    const out = composeOverColor(pixel(200, 100, 50), alpha(64), {
      r: 255,
      g: 255,
      b: 255,
      alpha: 255,
    });
    expect(out.channels).toBe(3);
    expect([...out.data]).toEqual([241, 216, 204]);
  });

  it('gives the colour where the mask is 0 and the image where it is 255', () => {
    const image = { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), width: 2, height: 1 };
    const out = composeOverColor(image, alpha(0, 255), { r: 9, g: 8, b: 7, alpha: 255 });
    expect([...out.data]).toEqual([9, 8, 7, 4, 5, 6]);
  });

  it('keeps an alpha channel when the colour is translucent ("over")', () => {
    const red50 = { r: 255, g: 0, b: 0, alpha: 128 };
    const out = composeOverColor(
      { data: Uint8Array.from([0, 0, 255, 0, 0, 255, 0, 0, 255]), width: 3, height: 1 },
      alpha(0, 128, 255),
      red50,
    );
    expect(out.channels).toBe(4);
    // a=0: the colour itself; a=128: A = 0.502 + 0.502*0.498 = 0.752 -> 192; a=255: the image.
    expect([...out.data]).toEqual([255, 0, 0, 128, 85, 0, 170, 192, 0, 0, 255, 255]);
  });

  it('leaves fully transparent pixels as 0,0,0,0 over a transparent colour', () => {
    const out = composeOverColor(pixel(9, 9, 9), alpha(0), { r: 1, g: 2, b: 3, alpha: 0 });
    expect([...out.data]).toEqual([0, 0, 0, 0]);
  });
});

describe('composeOverImage', () => {
  it('blends each pixel with the background pixel at the same place', () => {
    const image = { data: Uint8Array.from([200, 100, 50, 200, 100, 50]), width: 2, height: 1 };
    const background = { data: Uint8Array.from([0, 0, 0, 255, 255, 255]), width: 2, height: 1 };
    expect([...composeOverImage(image, alpha(64, 64), background).data]).toEqual([
      50, 25, 13, 241, 216, 204,
    ]);
  });
});

describe('multiplyMasks', () => {
  it('multiplies two masks on the 0-255 scale, rounded', () => {
    expect([...multiplyMasks(alpha(255, 128, 0, 200), alpha(128, 128, 255, 255)).data]).toEqual([
      128, 64, 0, 200,
    ]);
  });
});
