import { describe, expect, it } from 'vitest';
import {
  createTemporalSmoother,
  DEFAULT_SMOOTHING,
} from '../../../../core/video/temporal-smoother.ts';

const W = 16;
const H = 8;

function frame(value: (x: number, y: number) => number): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) rgb.fill(value(x, y), (y * W + x) * 3, (y * W + x) * 3 + 3);
  }
  return rgb;
}

function mask(value: (x: number, y: number) => number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m[y * W + x] = value(x, y);
  return m;
}

function meanAbsChange(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

describe('createTemporalSmoother', () => {
  it('passes the first mask through unchanged', () => {
    const s = createTemporalSmoother(W, H);
    const m = mask((x) => (x < 8 ? 255 : 0));
    expect([
      ...s.next(
        frame(() => 100),
        m,
      ),
    ]).toEqual([...m]);
  });

  it('damps mask flicker where the picture does not change', () => {
    const s = createTemporalSmoother(W, H);
    const still = frame((x) => (x < 8 ? 200 : 30));
    // The model wavers on the pixels near the edge: 255, 0, 255, 0, ... on a still picture.
    const masks = Array.from({ length: 12 }, (_, t) =>
      mask((x) => (x < 6 ? 255 : x < 10 ? (t % 2 === 0 ? 255 : 0) : 0)),
    );
    const outputs = masks.map((m) => s.next(still, m));
    let rawChange = 0;
    let smoothChange = 0;
    for (let t = 1; t < masks.length; t++) {
      rawChange += meanAbsChange(masks[t] as Uint8Array, masks[t - 1] as Uint8Array);
      smoothChange += meanAbsChange(outputs[t] as Uint8Array, outputs[t - 1] as Uint8Array);
    }
    expect(smoothChange).toBeLessThan(rawChange * 0.5);
  });

  it('follows the new mask at once where the picture moved', () => {
    const s = createTemporalSmoother(W, H);
    s.next(
      frame((x) => (x < 4 ? 250 : 10)),
      mask((x) => (x < 4 ? 255 : 0)),
    );
    // The subject jumps right by 8 pixels: its new pixels changed colour, so no lag there.
    const moved = mask((x) => (x >= 8 && x < 12 ? 255 : 0));
    const out = s.next(
      frame((x) => (x >= 8 && x < 12 ? 250 : 10)),
      moved,
    );
    expect([...out]).toEqual([...moved]);
  });

  it('converges to a steady mask on a still picture', () => {
    const s = createTemporalSmoother(W, H, DEFAULT_SMOOTHING);
    const still = frame(() => 90);
    s.next(
      still,
      mask(() => 0),
    );
    let out: Uint8Array = new Uint8Array();
    for (let t = 0; t < 30; t++)
      out = s.next(
        still,
        mask(() => 255),
      );
    expect(Math.min(...out)).toBe(255);
  });

  it('refuses a frame of the wrong size', () => {
    const s = createTemporalSmoother(W, H);
    expect(() => s.next(new Uint8Array(3), new Uint8Array(W * H))).toThrow(RangeError);
  });
});
