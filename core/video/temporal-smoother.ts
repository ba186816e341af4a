/**
 * Temporal smoothing of per-frame masks: an exponential moving average whose rate is gated by
 * how much the picture itself changed. Where the pixels are still, the mask should be still too,
 * so frame-to-frame mask noise (flicker) is averaged away; where the picture moved, the new mask
 * is taken as is, so moving edges do not smear or lag.
 */

export interface SmoothingOptions {
  /** Weight of the new mask where the picture is still (0 < rate <= 1; 1 disables smoothing). */
  readonly stillRate: number;
  /** Colour change (max over channels, 0-255) at or below which a pixel counts as still (codec noise). */
  readonly noiseLevel: number;
  /** Colour change at or above which the new mask is taken unchanged. */
  readonly motionLevel: number;
  /** Change is measured per square block of this side, then spread to the neighbouring blocks. */
  readonly blockSize: number;
}

export const DEFAULT_SMOOTHING: SmoothingOptions = {
  stillRate: 0.35,
  noiseLevel: 6,
  motionLevel: 40,
  blockSize: 4,
};

export interface TemporalSmoother {
  /**
   * @param rgb the frame, width*height*3 bytes
   * @param mask its mask, width*height bytes
   * @returns the smoothed mask (a new array)
   */
  next(rgb: Uint8Array, mask: Uint8Array): Uint8Array;
}

export function createTemporalSmoother(
  width: number,
  height: number,
  options: SmoothingOptions = DEFAULT_SMOOTHING,
): TemporalSmoother {
  const pixels = width * height;
  const block = Math.max(1, Math.floor(options.blockSize));
  const bw = Math.ceil(width / block);
  const bh = Math.ceil(height / block);
  const change = new Uint8Array(bw * bh);
  const gate = new Float32Array(bw * bh);
  const state = new Float32Array(pixels);
  const previous = new Uint8Array(pixels * 3);
  const span = Math.max(1, options.motionLevel - options.noiseLevel);
  let started = false;

  function measureChange(rgb: Uint8Array): void {
    change.fill(0);
    for (let y = 0; y < height; y++) {
      const rowBlock = Math.floor(y / block) * bw;
      let i = y * width * 3;
      for (let x = 0; x < width; x++, i += 3) {
        const d = Math.max(
          Math.abs((rgb[i] ?? 0) - (previous[i] ?? 0)),
          Math.abs((rgb[i + 1] ?? 0) - (previous[i + 1] ?? 0)),
          Math.abs((rgb[i + 2] ?? 0) - (previous[i + 2] ?? 0)),
        );
        const b = rowBlock + Math.floor(x / block);
        if (d > (change[b] ?? 0)) change[b] = d;
      }
    }
    // Spread each block's change to its 8 neighbours: mask edges sit a few pixels off the
    // colour edges that moved, and must follow them at once.
    for (let by = 0; by < bh; by++) {
      for (let bx = 0; bx < bw; bx++) {
        let m = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = by + dy;
          if (yy < 0 || yy >= bh) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = bx + dx;
            if (xx < 0 || xx >= bw) continue;
            const c = change[yy * bw + xx] ?? 0;
            if (c > m) m = c;
          }
        }
        const motion = Math.min(1, Math.max(0, (m - options.noiseLevel) / span));
        gate[by * bw + bx] = options.stillRate + (1 - options.stillRate) * motion;
      }
    }
  }

  return {
    next(rgb, mask) {
      if (rgb.length !== pixels * 3 || mask.length !== pixels) {
        throw new RangeError(`frame or mask does not match ${width}x${height}`);
      }
      const out = new Uint8Array(pixels);
      if (!started) {
        started = true;
        for (let p = 0; p < pixels; p++) state[p] = mask[p] ?? 0;
        out.set(mask);
        previous.set(rgb);
        return out;
      }
      measureChange(rgb);
      for (let y = 0; y < height; y++) {
        const rowBlock = Math.floor(y / block) * bw;
        let p = y * width;
        for (let x = 0; x < width; x++, p++) {
          const rate = gate[rowBlock + Math.floor(x / block)] ?? 1;
          const s = (state[p] ?? 0) + rate * ((mask[p] ?? 0) - (state[p] ?? 0));
          state[p] = s;
          out[p] = Math.round(s);
        }
      }
      previous.set(rgb);
      return out;
    },
  };
}
