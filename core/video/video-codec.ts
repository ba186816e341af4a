import type { ResizeKernel } from '../ports.ts';

/**
 * The port the video pipeline needs from a codec toolkit (ffmpeg in adapters/ffmpeg). Frames
 * cross it as raw interleaved bytes so core/ stays free of processes and formats.
 */

/** An exact frame rate, e.g. 30000/1001; never rounded to a float before it reaches the codec. */
export interface FrameRate {
  readonly num: number;
  readonly den: number;
}

export interface VideoInfo {
  /** Display size (after rotation metadata), in pixels. */
  readonly width: number;
  readonly height: number;
  readonly frameRate: FrameRate;
  /** The container's frame count or an estimate from the duration; undefined when unknown. */
  readonly frameCount: number | undefined;
  readonly durationSeconds: number | undefined;
  readonly hasAudio: boolean;
}

export interface DecodeRequest {
  readonly path: string;
  /** Frames come out at exactly this size; a different source size is scaled to cover and centre-cropped. */
  readonly width: number;
  readonly height: number;
  /** Frames are resampled (dropped or repeated by timestamp) to this constant rate. */
  readonly frameRate: FrameRate;
  /** Only the first N decoded frames (before resampling) are used. */
  readonly frameLimit?: number | undefined;
  /**
   * Also scale each frame to size x size (stretched, as models take it) in the same decode, with
   * this kernel: each item the reader yields is then the full frame followed by the model frame,
   * width*height*3 + size*size*3 bytes. Saves a per-frame resize on the main process.
   */
  readonly modelFrame?: { readonly size: number; readonly kernel: ResizeKernel } | undefined;
  /** Restart from the beginning at the end, forever (background videos). */
  readonly loop?: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** rgb24 frames, each exactly width*height*3 bytes (plus the model frame when asked); ending the iteration early stops the decoder. */
export interface FrameReader extends AsyncIterable<Uint8Array> {
  close(): Promise<void>;
}

export type FrameLayout = 'rgb24' | 'rgba' | 'gray';

export const LAYOUT_CHANNELS: Readonly<Record<FrameLayout, number>> = {
  rgb24: 3,
  rgba: 4,
  gray: 1,
};

/** How one output format is encoded (pure data; the adapter turns it into codec arguments). */
export interface EncoderSpec {
  /** Container, as the muxer name (mov, mp4, gif, webm). */
  readonly container: string;
  readonly videoCodec: string;
  /** Pixel format written into the file (undefined: the codec's choice). */
  readonly pixelFormat: string | undefined;
  /** Extra codec options as name/value pairs, in order. */
  readonly videoOptions: readonly (readonly [string, string])[];
  /** A filter graph applied before encoding (palette building, even-size crop). */
  readonly videoFilter: string | undefined;
  /** undefined: the container carries no audio. */
  readonly audioCodec: string | undefined;
  readonly audioOptions: readonly (readonly [string, string])[];
}

export interface AudioSource {
  readonly path: string;
  /** Repeat the source's audio to fill the output (a short background video). */
  readonly loop: boolean;
}

export interface EncodeRequest {
  readonly outputPath: string;
  readonly width: number;
  readonly height: number;
  readonly frameRate: FrameRate;
  readonly layout: FrameLayout;
  readonly spec: EncoderSpec;
  /** Where the audio comes from; ignored when the spec has no audio codec or the file has none. */
  readonly audio?: AudioSource | undefined;
  /** Upper bound of the output's length, to cut the audio; the video length is the frames written. */
  readonly maxDurationSeconds?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Takes frames in `layout`, each exactly width*height*channels bytes. `write` resolves when the
 * encoder can take more (back-pressure). Nothing appears at `outputPath` unless `finish` succeeds;
 * `abort` stops the encoder and removes what it wrote.
 */
export interface FrameWriter {
  write(frame: Uint8Array): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export interface VideoCodec {
  /**
   * @throws CutoutError UNSUPPORTED_MEDIA (not a video: empty, an image, no video stream),
   *   DECODE_FAILED (unreadable or truncated), naming the file
   */
  probe(path: string, signal?: AbortSignal): Promise<VideoInfo>;
  decode(request: DecodeRequest): FrameReader;
  encode(request: EncodeRequest): FrameWriter;
}

export function frameRateValue(rate: FrameRate): number {
  return rate.num / rate.den;
}

export function formatFrameRate(rate: FrameRate): string {
  return rate.den === 1 ? String(rate.num) : `${rate.num}/${rate.den}`;
}
