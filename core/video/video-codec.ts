import type { ResizeKernel } from '../ports.ts';

/**
 * The port the video pipeline needs from a codec toolkit (ffmpeg in adapters/ffmpeg). Only
 * model-size frames and masks cross it, as raw bytes: decoding, scaling the mask to the frame,
 * compositing and encoding happen in the codec, in one process that decodes the source once, so
 * the pipeline's own per-frame work does not grow with the video's resolution.
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
  /** The decoder's pixel format name (ffmpeg's, e.g. yuv420p), when the probe says. */
  readonly pixelFormat?: string | undefined;
  /** The container sniffed from the bytes, as the codec names it (ffmpeg's demuxer). */
  readonly container?: string | undefined;
}

/** The frames of one video as the pipeline sees them. */
export interface FrameSource {
  readonly path: string;
  /** Frame size; a different source size is scaled to cover it and centre-cropped. */
  readonly width: number;
  readonly height: number;
  /** Frames are resampled (dropped or repeated by timestamp) to this constant rate. */
  readonly frameRate: FrameRate;
  /** Only the first N decoded frames (before resampling) are used. */
  readonly frameLimit?: number | undefined;
  /** As probed: lets the codec pass frames between its own processes without converting them. */
  readonly pixelFormat?: string | undefined;
  /** As probed: the only container the codec may read the file as. */
  readonly container?: string | undefined;
  /** How error texts name the file (never its local path). */
  readonly label?: string | undefined;
}

/**
 * What the encoder makes of each frame and its mask: `gray` the matte itself, `rgba` the subject
 * with the mask as its alpha, `rgb24` the subject over the backdrop, opaque.
 */
export type FrameLayout = 'rgb24' | 'rgba' | 'gray';

/** What sits behind the subject; `none` keeps the alpha. */
export type Backdrop =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'color';
      readonly color: { readonly r: number; readonly g: number; readonly b: number };
    }
  /** One rgb24 picture of exactly the frame size (already fitted), shown under every frame. */
  | { readonly kind: 'image'; readonly rgb: Uint8Array }
  /** A video, looped to the subject's length, scaled to cover the frame and resampled to its rate. */
  | {
      readonly kind: 'video';
      readonly path: string;
      readonly container?: string | undefined;
      readonly label?: string | undefined;
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
  /** A filter graph applied to the composed frames before encoding (palette building, even-size crop). */
  readonly videoFilter: string | undefined;
  /** undefined: the container carries no audio. */
  readonly audioCodec: string | undefined;
  readonly audioOptions: readonly (readonly [string, string])[];
}

export interface AudioSource {
  readonly path: string;
  /** As probed, like FrameSource.container. */
  readonly container?: string | undefined;
  /** Repeat the source's audio to fill the output (a short background video). */
  readonly loop: boolean;
}

export interface VideoPassRequest {
  /** The frames: decoded once, scaled to the model for the pipeline and kept whole for the output. */
  readonly source: FrameSource;
  /** Frames come out stretched to modelSize x modelSize (the model's input) with this kernel. */
  readonly modelSize: number;
  readonly kernel: ResizeKernel;
  readonly outputPath: string;
  readonly layout: FrameLayout;
  readonly backdrop: Backdrop;
  readonly spec: EncoderSpec;
  /** Where the audio comes from; ignored when the spec has no audio codec or the file has none. */
  readonly audio?: AudioSource | undefined;
  /** Upper bound of the output's length, to cut the audio; the video length is the frames'. */
  readonly maxDurationSeconds?: number | undefined;
  /** The encoder stops past this many bytes of output and the pass fails (INPUT_TOO_LARGE). */
  readonly maxOutputBytes?: number | undefined;
  /** Memory the encoder may queue for whole frames; the codec sizes its queues from it. */
  readonly frameQueueBytes?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * One pass over a video: model-size rgb24 frames come out, one mask per frame goes back in
 * (modelSize x modelSize gray, in frame order), and the codec scales each mask to its frame,
 * composes and encodes. The full-size frames never cross the port. The decoder runs a bounded
 * number of frames ahead of the masks, so memory stays flat whatever the length.
 */
export interface VideoPass {
  /**
   * Waits for at least one decoded frame and returns up to `max` of them (each
   * modelSize*modelSize*3 bytes); null once every frame has been read. Call it only after
   * writing the masks of the frames it returned before, unless `ready()` says frames wait: the
   * codec does not run ahead of the masks without bound.
   */
  read(max: number): Promise<Uint8Array[] | null>;
  /** Frames decoded and not yet read. */
  ready(): number;
  /**
   * Most frames the caller should have in flight per batch (read, masks not yet written), when
   * the codec's queues are smaller than usual (very large frames); undefined: no limit of its own.
   */
  readonly maxBatch?: number | undefined;
  /** The next frame's mask; resolves when the codec can take more (back-pressure). */
  write(mask: Uint8Array): Promise<void>;
  /**
   * Hands frames returned by `read` back for reuse once nothing reads them any more (their
   * masks written). Optional for both sides: a codec without it allocates every frame, and a
   * frame never handed back is simply collected.
   */
  release?(frames: readonly Uint8Array[]): void;
  /** After the last mask: waits for the encoder; the output appears at `outputPath` only now. */
  finish(): Promise<void>;
  /** Stops the codec and removes what it wrote. */
  abort(): Promise<void>;
}

export interface VideoCodec {
  /**
   * @param label how messages name the file (default: the file's own name)
   * @throws CutoutError UNSUPPORTED_MEDIA (not a video: empty, an image, a playlist, an unknown
   *   container, no video stream), DECODE_FAILED (unreadable or truncated), naming the file
   */
  probe(path: string, signal?: AbortSignal, label?: string): Promise<VideoInfo>;
  start(request: VideoPassRequest): VideoPass;
  /**
   * The bytes of a still image the pass composes over (video_over_image): the codec reads the
   * local files a pass works on, so core/ never touches the disk itself.
   */
  readImage(path: string): Promise<Uint8Array>;
}

export function frameRateValue(rate: FrameRate): number {
  return rate.num / rate.den;
}

export function formatFrameRate(rate: FrameRate): string {
  return rate.den === 1 ? String(rate.num) : `${rate.num}/${rate.den}`;
}
