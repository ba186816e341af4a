import { describe, expect, it } from 'vitest';
import {
  createTemporalSmoother,
  DEFAULT_SMOOTHING,
} from '../../../../core/video/temporal-smoother.ts';

const W = 16;
const H = 8;

function frame(value: (x: number, y: number) => number, w = W, h = H): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) rgb.fill(value(x, y) & 255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  }
  return rgb;
}

function mask(value: (x: number, y: number) => number, w = W, h = H): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = value(x, y);
  return m;
}

/** A textured picture panned by `t` pixels: every pixel changes colour between frames. */
function panned(t: number, w = W, h = H): Uint8Array {
  return frame((x, y) => ((x + 3 * t) * 53 + y * 29) % 251, w, h);
}

function meanAbsChange(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** Summed frame-to-frame change of the raw masks and of the smoothed ones. */
function flicker(
  frames: readonly Uint8Array[],
  masks: readonly Uint8Array[],
  w = W,
  h = H,
): { raw: number; smooth: number } {
  const s = createTemporalSmoother(w, h);
  const outputs = masks.map((m, t) => s.next(frames[t] as Uint8Array, m));
  let raw = 0;
  let smooth = 0;
  for (let t = 1; t < masks.length; t++) {
    raw += meanAbsChange(masks[t] as Uint8Array, masks[t - 1] as Uint8Array);
    smooth += meanAbsChange(outputs[t] as Uint8Array, outputs[t - 1] as Uint8Array);
  }
  return { raw, smooth };
}

/** Column at which row 0 of a left-to-right falling edge drops below half (128). */
function edgeAt(m: Uint8Array): number {
  for (let x = 0; x < W; x++) if ((m[x] ?? 0) < 128) return x;
  return W;
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

  it('damps even full-range mask toggles where the picture does not change', () => {
    const still = frame((x) => (x < 8 ? 200 : 30));
    // The model wavers on the pixels near the edge: 255, 0, 255, 0, ... on a still picture.
    const masks = Array.from({ length: 12 }, (_, t) =>
      mask((x) => (x < 6 ? 255 : x < 10 ? (t % 2 === 0 ? 255 : 0) : 0)),
    );
    const { raw, smooth } = flicker(
      masks.map(() => still),
      masks,
    );
    expect(smooth).toBeLessThan(raw * 0.5);
  });

  it('damps small back-and-forth mask changes while the whole picture moves (panning camera)', () => {
    // Every pixel changes colour each frame, so only the mask itself can tell noise from motion.
    const masks = Array.from({ length: 12 }, (_, t) =>
      mask((x) => (x < 6 ? 255 : x < 10 ? (t % 2 === 0 ? 100 : 160) : 0)),
    );
    const { raw, smooth } = flicker(
      masks.map((_, t) => panned(t)),
      masks,
    );
    expect(raw).toBeGreaterThan(0);
    expect(smooth).toBeLessThan(raw * 0.5);
  });

  it('takes a full-range change at once where the picture moves', () => {
    const s = createTemporalSmoother(W, H);
    s.next(
      panned(0),
      mask((x) => (x < 8 ? 255 : 0)),
    );
    const flipped = mask((x) => (x < 8 ? 0 : 255));
    expect([...s.next(panned(1), flipped)]).toEqual([...flipped]);
  });

  it('follows a moving square within the frame it moved, with no trail', () => {
    const size = 64;
    const square = (t: number) => (x: number, y: number) =>
      x >= 4 + 3 * t && x < 20 + 3 * t && y >= 8 + 2 * t && y < 24 + 2 * t;
    for (const background of ['still', 'panning'] as const) {
      const s = createTemporalSmoother(size, size);
      for (let t = 0; t < 12; t++) {
        const inside = square(t);
        const rgb = frame(
          (x, y) =>
            inside(x, y) ? 240 : background === 'still' ? 20 : ((x + 5 * t) * 7 + y * 3) % 90,
          size,
          size,
        );
        const m = mask((x, y) => (inside(x, y) ? 255 : 0), size, size);
        expect([...s.next(rgb, m)], `${background} frame ${t}`).toEqual([...m]);
      }
    }
  });

  it('keeps up with a soft edge sweeping across, closer than if the sweep were treated as noise', () => {
    // A 4-pixel ramp moving right by one pixel a frame: each pixel sees a steady climb, which
    // the `following` curve lets through faster than the `turning` one would.
    const ramp = (t: number) =>
      mask((x) => Math.max(0, Math.min(255, Math.round(255 - (x - 2 - t) * 64))));
    const lag = (options = DEFAULT_SMOOTHING) => {
      const s = createTemporalSmoother(W, H, options);
      let edge = 0;
      let value = 0;
      for (let t = 0; t < 9; t++) {
        const m = ramp(t);
        const out = s.next(panned(t), m);
        edge = Math.max(edge, Math.abs(edgeAt(out) - edgeAt(m)));
        for (let p = 0; p < m.length; p++) value += Math.abs((m[p] ?? 0) - (out[p] ?? 0));
      }
      return { edge, value };
    };
    const followed = lag();
    const asNoise = lag({ ...DEFAULT_SMOOTHING, following: DEFAULT_SMOOTHING.turning });
    expect(followed.edge).toBeLessThanOrEqual(1);
    expect(followed.value).toBeLessThan(asNoise.value);
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

  it('refuses a frame or mask of the wrong size, and a size that is no size', () => {
    const s = createTemporalSmoother(W, H);
    expect(() => s.next(new Uint8Array(3), new Uint8Array(W * H))).toThrow(RangeError);
    expect(() => s.next(new Uint8Array(W * H * 3), new Uint8Array(W * H - 1))).toThrow(RangeError);
    expect(() => createTemporalSmoother(0, H)).toThrow(RangeError);
    expect(() => createTemporalSmoother(W, 2.5)).toThrow(RangeError);
  });
});
