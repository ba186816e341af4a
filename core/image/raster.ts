/** Raw pixels as the pipelines pass them around: interleaved, 8 bits per channel, row-major. */

/** 3 channels (R, G, B) interleaved: `data.length === width * height * 3`. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** 1 channel, 0 = background, 255 = foreground: `data.length === width * height`. */
export interface Mask {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}
