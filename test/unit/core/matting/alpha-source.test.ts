import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../../core/image/raster.ts';
import { BandAlpha, PlaneAlpha } from '../../../../core/matting/alpha-source.ts';
import { estimateAlphaCf, fullAlpha } from '../../../../core/matting/closed-form-alpha.ts';
import {
  estimateForegroundMl,
  ML_DEFAULTS,
} from '../../../../core/matting/multilevel-foreground.ts';

/**
 * A wavy soft edge between two textured layers over a 320x260 image (83,200 pixels, so the top
 * level is swept as a restricted band), with a trimap that leaves a 12-pixel band unknown.
 */
function scene(): { image: RgbImage; trimap: Uint8Array } {
  const width = 320;
  const height = 260;
  const data = new Uint8Array(width * height * 3);
  const trimap = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const edge = 160 + 30 * Math.sin(y / 17);
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const a = Math.min(1, Math.max(0, (x - edge + 4) / 8));
      const fg = [200 + ((x * 7 + y) % 40), 60 + ((x + y * 3) % 30), 40];
      const bg = [30, 80 + ((x * 5) % 50), 180 + ((y * 11) % 60)];
      for (let c = 0; c < 3; c++) {
        data[p * 3 + c] = Math.round(a * (fg[c] as number) + (1 - a) * (bg[c] as number));
      }
      trimap[p] = x < edge - 6 ? 0 : x > edge + 6 ? 255 : 128;
    }
  }
  return { image: { data, width, height }, trimap };
}

describe('BandAlpha', () => {
  const { image, trimap } = scene();
  const solved = estimateAlphaCf(image, trimap);
  if (!solved.ok) throw new Error(solved.reason);
  const plane = fullAlpha(trimap, solved);
  const band = new BandAlpha(trimap, solved.unknown, solved.values);

  it('reads the same numbers as the full float alpha plane, per pixel and per row', () => {
    const { width, height } = image;
    for (let p = 0; p < plane.length; p += 7) expect(band.at(p)).toBe(plane[p]);
    const xs = Int32Array.from([0, 3, 3, 100, 150, 151, 170, 200, 319]);
    const fromBand = new Float32Array(xs.length);
    const fromPlane = new Float32Array(xs.length);
    const planeSource = new PlaneAlpha(plane, width, height);
    for (let y = 0; y < height; y += 5) {
      band.row(y, xs, fromBand);
      planeSource.row(y, xs, fromPlane);
      expect(Array.from(fromBand)).toEqual(Array.from(fromPlane));
    }
    // The band really is soft somewhere, so the comparison covered solved values.
    expect(plane.some((a) => a > 0.05 && a < 0.95)).toBe(true);
  });

  it('gives the foreground estimator the same result as the plane, byte for byte', () => {
    const fromPlane = estimateForegroundMl(image, plane);
    const fromBand = estimateForegroundMl(image, band);
    expect(Buffer.from(fromBand).equals(Buffer.from(fromPlane))).toBe(true);
    // Also on every-pixel (unrestricted) levels, where whole rows are sampled at once.
    const dense = { ...ML_DEFAULTS, restrictAbove: Number.POSITIVE_INFINITY };
    expect(
      Buffer.from(estimateForegroundMl(image, band, dense)).equals(
        Buffer.from(estimateForegroundMl(image, plane, dense)),
      ),
    ).toBe(true);
  });
});
