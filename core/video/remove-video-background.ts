import path from 'node:path';
import { CutoutError, invalidField, restated, toCutoutError } from '../errors.ts';
import type { VideoOptions } from '../params/convert-params.ts';
import { abortError, raceAbort, tightenDeadline } from '../pipeline/abortable.ts';
import { fitBackground } from '../pipeline/fit-background.ts';
import { refineModelMask } from '../pipeline/refine/refine-model-mask.ts';
import type { Segmenter } from '../ports.ts';
import { runFrameLoop, type SegmentFrames } from './frame-loop.ts';
import { type VideoOutputSpec, videoOutputSpec } from './output-formats.ts';
import { scrubPaths } from './scrub-paths.ts';
import { segmentVideoFrames } from './segment-video-frames.ts';
import {
  createTemporalSmoother,
  DEFAULT_SMOOTHING,
  type SmoothingOptions,
} from './temporal-smoother.ts';
import {
  type AudioSource,
  type Backdrop,
  type FrameRate,
  type FrameSource,
  frameRateValue,
  type VideoCodec,
  type VideoInfo,
  type VideoPass,
} from './video-codec.ts';
import {
  assertVideoWithinLimits,
  DEFAULT_VIDEO_LIMITS,
  tooManyFrames,
  type VideoLimits,
  videoDeadlineMs,
} from './video-limits.ts';

export interface RemoveVideoBackgroundInput {
  readonly inputPath: string;
  readonly options: VideoOptions;
  /** The background image (video_over_image, gif_with_bg) or video (video_over_video). */
  readonly backgroundPath?: string | undefined;
  /** Where the result goes; nothing is left there when the call fails or is aborted. */
  readonly outputPath: string;
  /**
   * The file's deadline. The video tightens it from its probed duration (VideoLimits); on abort
   * every codec process is killed, the partial output removed, and the call rejects with the
   * signal's reason when it is a CutoutError, DEADLINE_EXCEEDED otherwise.
   */
  readonly signal?: AbortSignal | undefined;
  /** How error texts name the input and the background (the client's names; default: the files' own). */
  readonly label?: string | undefined;
  readonly backgroundLabel?: string | undefined;
  /**
   * Bounds on size, length, output and memory, and the video's own deadline (the worker passes
   * them). Omitted (the CLI, benchmarks): nothing is refused for its size and no deadline of its
   * own applies; memory is still sized by DEFAULT_VIDEO_LIMITS.frameQueueBytes.
   */
  readonly limits?: VideoLimits | undefined;
  /** Frames written so far, and the expected total (undefined when the input does not say). */
  onProgress?(done: number, total: number | undefined): void;
  /** Temporal smoothing of the masks; false turns it off (benchmarks compare both). */
  readonly smoothing?: SmoothingOptions | false;
}

export interface RemoveVideoBackgroundDeps {
  readonly segmenter: Segmenter;
  readonly codec: VideoCodec;
  /** Replaces the image pipeline's segmentation (tests use it to pin masks, benchmarks to time it). */
  readonly segment?: SegmentFrames;
}

export interface RemoveVideoBackgroundResult {
  readonly outputPath: string;
  /** Without the dot: mov, mp4, gif, webm. */
  readonly extension: string;
  readonly contentType: string;
  readonly modelId: string;
  /** Frames written to the output. */
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly frameRate: FrameRate;
  readonly warnings: readonly string[];
}

// Enough frames per inference call to fill a GPU, few enough to keep memory flat.
const MAX_FRAMES_PER_BATCH = 8;

/**
 * Input tensors kept from one video to the next, per segmenter, when a batch's tensor is at most
 * this size (a small model's; a 1024x1024 model's batch is kept for its video only). A fresh
 * tensor costs its page faults on first write: about 20 ms for the tiny model's 10 MB batch on
 * the 2-core benchmark machine, twice per video.
 */
const KEPT_TENSOR_BYTES = 16 * 1024 * 1024;
const KEPT_TENSORS = 2;
const keptTensors = new WeakMap<Segmenter, Float32Array[]>();

function spareTensorsFor(segmenter: Segmenter, floats: number): Float32Array[] {
  if (floats * 4 > KEPT_TENSOR_BYTES) return [];
  let kept = keptTensors.get(segmenter);
  if (!kept) {
    kept = [];
    keptTensors.set(segmenter, kept);
  }
  // Two videos at once each take their own from the list and give them back; what two passes
  // left beyond the usual pair is dropped here.
  if (kept.length > KEPT_TENSORS) kept.splice(KEPT_TENSORS);
  return kept;
}

/**
 * Video background removal, streamed: decode (at the model's size) -> batched inference ->
 * temporal smoothing -> encode, where the encoder scales each mask to the frame, composes it
 * with the frame it reads from the source itself, and encodes; memory is bounded by a few frames
 * whatever the length. `framerate` is the output rate (frames are resampled, never relabelled) and
 * `frame_limit` caps the input frames read.
 *
 * @throws CutoutError INVALID_REQUEST (alpha_matting, a missing background), UNSUPPORTED_MEDIA /
 *   DECODE_FAILED naming the file, INPUT_TOO_LARGE (over a VideoLimits bound, naming it),
 *   MODEL_UNAVAILABLE, PROCESSING_FAILED (the encoder failed); when aborted, the signal's reason
 *   if it is a CutoutError, else DEADLINE_EXCEEDED. No message carries a local path. Anything
 *   else thrown (a bug, an outage) is INTERNAL with its own text: the worker retries it and
 *   logs the text, and no client ever reads it.
 */
export async function removeVideoBackground(
  input: RemoveVideoBackgroundInput,
  deps: RemoveVideoBackgroundDeps,
): Promise<RemoveVideoBackgroundResult> {
  const { options, signal } = input;
  const spec = videoOutputSpec(options);
  const warnings: string[] = [];
  if (options.alphaMatting.enabled) {
    // The seed's own video example sends alpha_matting=true, and the peers' video paths ignore
    // it: closed-form matting costs seconds per frame and is not temporally coherent. Refusing
    // it would fail those clients' files, so the model's mask is used and the result says so.
    warnings.push('alpha_matting is not applied to video; the model mask is used');
  }
  if ((spec.background === 'image' || spec.background === 'video') && !input.backgroundPath) {
    throw invalidField(
      'background',
      `video_format=${spec.format} needs a background ${spec.background} file`,
    );
  }
  if (options.bgColorEnabled && spec.background !== 'color' && spec.format !== 'mp4_with_color') {
    warnings.push(`video_bg_color_enabled has no effect on video_format=${spec.format}`);
  }

  const { limits } = input;
  const label = input.label ?? path.basename(input.inputPath);
  const backgroundLabel =
    input.backgroundLabel ?? (input.backgroundPath ? path.basename(input.backgroundPath) : '');
  const labels = new Map<string, string>([[input.inputPath, label]]);
  if (input.backgroundPath) labels.set(input.backgroundPath, `background ${backgroundLabel}`);
  labels.set(input.outputPath, path.basename(input.outputPath));
  let active = signal;
  let deadline: { dispose(): void } | undefined;
  let pass: VideoPass | undefined;
  try {
    const { info, backgroundInfo } = await probeInputs(input, spec.background, deps.codec, {
      label,
      backgroundLabel,
    });
    const { width, height } = info;
    const outRate = outputFrameRate(info, options.framerate, spec.defaultFrameRate);
    const inputFrames = cappedFrames(info, options.frameLimit);
    const total =
      inputFrames === undefined
        ? undefined
        : Math.max(
            1,
            Math.round((inputFrames * frameRateValue(outRate)) / frameRateValue(info.frameRate)),
          );
    const maxDurationSeconds =
      inputFrames === undefined
        ? info.durationSeconds
        : inputFrames / frameRateValue(info.frameRate);
    // Refused before a frame is decoded; what the probe could not say is bounded while reading.
    if (limits) {
      assertVideoWithinLimits(
        info,
        { frames: inputFrames, durationSeconds: maxDurationSeconds },
        limits,
        label,
      );
    }
    if (limits && backgroundInfo) {
      assertVideoWithinLimits(
        backgroundInfo,
        { frames: undefined, durationSeconds: undefined },
        limits,
        `background ${backgroundLabel}`,
        'background',
      );
    }
    const ownMs = limits && videoDeadlineMs(maxDurationSeconds, limits);
    if (limits && ownMs !== undefined) {
      const tightened = tightenDeadline(
        signal,
        ownMs,
        () =>
          new CutoutError(
            'DEADLINE_EXCEEDED',
            `did not finish within ${Math.round(ownMs / 100) / 10} s (${limits.deadlineFloorSeconds} s + ${limits.deadlineSecondsPerSecond} s per second of video)`,
            { file: label },
          ),
      );
      deadline = tightened;
      active = tightened.signal;
    }

    const source: FrameSource = {
      path: input.inputPath,
      width,
      height,
      frameRate: outRate,
      frameLimit: options.frameLimit,
      pixelFormat: info.pixelFormat,
      container: info.container,
      label,
    };
    const segmenter = deps.segmenter;
    const size = segmenter.spec.inputSize;
    const backdrop = await loadBackdrop(
      input,
      spec.background,
      info,
      backgroundInfo,
      backgroundLabel,
      limits,
      deps.codec,
    );
    const audio = audioSource(input, spec.audioFrom, info, backgroundInfo, warnings);
    pass = deps.codec.start({
      source,
      modelSize: size,
      kernel: segmenter.spec.resizeKernel ?? 'lanczos3',
      outputPath: input.outputPath,
      layout: spec.layout,
      backdrop,
      spec: spec.encoder,
      audio,
      maxDurationSeconds,
      maxOutputBytes: limits?.maxOutputBytes,
      frameQueueBytes: (limits ?? DEFAULT_VIDEO_LIMITS).frameQueueBytes,
      signal: active,
    });
    const batchSize = Math.min(
      MAX_FRAMES_PER_BATCH,
      Math.max(1, segmenter.maxBatch),
      pass.maxBatch ?? MAX_FRAMES_PER_BATCH,
    );
    const spareTensors = spareTensorsFor(
      segmenter,
      Math.max(1, segmenter.maxBatch) * 3 * size * size,
    );
    const segment: SegmentFrames =
      deps.segment ?? ((batch) => segmentVideoFrames(segmenter, batch, { spareTensors }));
    const smoothing = input.smoothing ?? DEFAULT_SMOOTHING;
    input.onProgress?.(0, total);
    const started = pass;
    let framesRead = 0;
    const written = await runFrameLoop({
      pass: {
        // A container can understate its length, or not state it: the frame bound holds anyway.
        async read(max) {
          const frames = await started.read(max);
          framesRead += frames?.length ?? 0;
          if (limits && framesRead > limits.maxFrames) throw tooManyFrames(label, limits);
          return frames;
        },
        ready: () => started.ready(),
        write: (mask) => started.write(mask),
        release: (frames) => started.release?.(frames),
      },
      size,
      batchSize,
      // An inference call cannot be interrupted; the deadline does not wait for it.
      segment: (batch) => raceAbort(segment(batch), active, label),
      refine: input.options.refine ? refineModelMask : undefined,
      smoother: smoothing === false ? undefined : createTemporalSmoother(size, size, smoothing),
      onFrame: (done) =>
        input.onProgress?.(done, total === undefined ? undefined : Math.max(total, done)),
      signal: active,
    });
    if (written === 0) {
      throw new CutoutError('DECODE_FAILED', 'no video frame could be decoded', {
        field: 'file',
        file: label,
      });
    }
    await pass.finish();
    input.onProgress?.(written, written);
    return {
      outputPath: input.outputPath,
      extension: spec.extension,
      contentType: spec.contentType,
      modelId: segmenter.spec.id,
      frames: written,
      width,
      height,
      frameRate: outRate,
      warnings,
    };
  } catch (error) {
    await pass?.abort().catch(() => undefined);
    if (active?.aborted) throw abortError(active, label);
    // A CutoutError is a verdict on the file. Anything else is a bug or an outage, not the
    // file's fault: INTERNAL (retried), its text for the logs only.
    if (!(error instanceof CutoutError)) throw toCutoutError(error, 'INTERNAL');
    const problem = scrubPaths(error.problem, labels);
    throw problem === error.problem ? error : restated(error, { problem });
  } finally {
    deadline?.dispose();
  }
}

function outputFrameRate(
  info: VideoInfo,
  requested: number | undefined,
  formatDefault: number | undefined,
): FrameRate {
  if (requested !== undefined) return { num: requested, den: 1 };
  // A format's default (GIF's 10 fps) never raises the rate: that would only repeat frames.
  if (formatDefault !== undefined && formatDefault < frameRateValue(info.frameRate)) {
    return { num: formatDefault, den: 1 };
  }
  return info.frameRate;
}

function cappedFrames(info: VideoInfo, limit: number | undefined): number | undefined {
  if (info.frameCount === undefined) return limit;
  return limit === undefined ? info.frameCount : Math.min(limit, info.frameCount);
}

/**
 * The input's probe and, for a background video, the background's, side by side (each costs a
 * process start). A background that is not a video is refused here, naming it, before any work
 * starts; when both fail, the input's error is the one reported.
 */
async function probeInputs(
  input: RemoveVideoBackgroundInput,
  background: VideoOutputSpec['background'],
  codec: VideoCodec,
  names: { label: string; backgroundLabel: string },
): Promise<{ info: VideoInfo; backgroundInfo: VideoInfo | undefined }> {
  const [info, backgroundInfo] = await Promise.allSettled([
    codec.probe(input.inputPath, input.signal, names.label),
    background === 'video'
      ? codec.probe(input.backgroundPath as string, input.signal, names.backgroundLabel)
      : undefined,
  ]);
  if (info.status === 'rejected') throw info.reason;
  if (backgroundInfo.status === 'rejected') {
    const error: unknown = backgroundInfo.reason;
    // What the probe says about the file is said about the background; anything else (no
    // ffprobe, an abort) passes as it is.
    if (!(error instanceof CutoutError) || error.field !== 'file') throw error;
    throw restated(error, {
      field: 'background',
      file: `background ${error.file ?? names.backgroundLabel}`,
    });
  }
  return { info: info.value, backgroundInfo: backgroundInfo.value };
}

async function loadBackdrop(
  input: RemoveVideoBackgroundInput,
  kind: VideoOutputSpec['background'],
  info: VideoInfo,
  backgroundInfo: VideoInfo | undefined,
  label: string,
  limits: VideoLimits | undefined,
  codec: VideoCodec,
): Promise<Backdrop> {
  if (kind === 'none') return { kind };
  if (kind === 'color') return { kind, color: input.options.bgColor };
  const file = input.backgroundPath as string;
  if (kind === 'video') {
    return { kind, path: file, container: backgroundInfo?.container, label: `background ${label}` };
  }
  const bytes = await codec.readImage(file).catch((cause: unknown) => {
    throw new CutoutError('INPUT_NOT_FOUND', 'cannot be read', {
      field: 'background',
      file: `background ${label}`,
      cause,
    });
  });
  // sharp, not the codec, fits the picture: the same EXIF rotation, size limits and errors as
  // backgrounds of images. Its declared size is checked on the header before decoding, and it
  // is resized only to the frame, which the video limits already bound.
  const { image } = await fitBackground(bytes, info.width, info.height, {
    maxPixels: limits?.maxBackgroundPixels ?? DEFAULT_VIDEO_LIMITS.maxBackgroundPixels,
    label: `background ${label}`,
  });
  return { kind, rgb: image.data };
}

function audioSource(
  input: RemoveVideoBackgroundInput,
  from: VideoOutputSpec['audioFrom'],
  info: VideoInfo,
  backgroundInfo: VideoInfo | undefined,
  warnings: string[],
): AudioSource | undefined {
  if (from === 'none') {
    if (info.hasAudio)
      warnings.push('the audio track was dropped: the output format cannot carry audio');
    return undefined;
  }
  if (from === 'input') {
    return info.hasAudio
      ? { path: input.inputPath, container: info.container, loop: false }
      : undefined;
  }
  return backgroundInfo?.hasAudio
    ? { path: input.backgroundPath as string, container: backgroundInfo.container, loop: true }
    : undefined;
}
