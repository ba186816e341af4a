import { join } from 'node:path';
import { createHeifWasmDecoder } from '../../adapters/image/heif-wasm-decoder.ts';
import type { ImageProcessor, Processors, VideoProcessor } from '../../core/jobs/ports.ts';
import { raceAbort } from '../../core/pipeline/abortable.ts';
import type { HeifDecoder } from '../../core/pipeline/heif-decoder.ts';
import { removeBackground } from '../../core/pipeline/remove-background.ts';
import type { SegmenterProvider } from '../../core/ports.ts';
import { videoOutputSpec } from '../../core/video/output-formats.ts';
import { removeVideoBackground } from '../../core/video/remove-video-background.ts';
import type { VideoCodec } from '../../core/video/video-codec.ts';
import { DEFAULT_VIDEO_LIMITS, type VideoLimits } from '../../core/video/video-limits.ts';

/**
 * The job system's processors over the real pipelines: the image pipeline on bytes, the video
 * pipeline through local files. Models come from one provider, so a process loads each model's
 * session once however many files and queues it serves. The file's deadline (ctx.signal) reaches
 * every step; an aborted processor rejects at once with a CutoutError (DEADLINE_EXCEEDED unless
 * the signal's reason already is one), even while an inference call it cannot interrupt runs on.
 */

/** `heif` decodes HEIC inputs (by default libheif in WebAssembly, loaded on the first one). */
export function createImageProcessor(
  segmenters: SegmenterProvider,
  heif: HeifDecoder = createHeifWasmDecoder(),
): ImageProcessor {
  return async (input, options, ctx) => {
    const segmenter = await raceAbort(segmenters.get(options.model), ctx.signal, ctx.fileName);
    ctx.onProgress(0.2);
    const result = await raceAbort(
      removeBackground(
        {
          image: input,
          options,
          fileName: ctx.fileName,
          signal: ctx.signal,
          ...(ctx.background ? { backgroundImage: ctx.background } : {}),
        },
        { segmenter, heif },
      ),
      ctx.signal,
      ctx.fileName,
    );
    ctx.onProgress(1);
    return {
      data: result.data,
      contentType: result.contentType,
      extension: result.format,
      modelId: result.modelId,
      warnings: result.warnings,
      geometry: { width: result.width, height: result.height, bbox: result.subject },
    };
  };
}

export function createVideoProcessor(
  segmenters: SegmenterProvider,
  codec: VideoCodec,
  limits: VideoLimits = DEFAULT_VIDEO_LIMITS,
): VideoProcessor {
  return async (inputPath, options, ctx) => {
    const segmenter = await raceAbort(segmenters.get(options.model), ctx.signal, ctx.fileName);
    const result = await removeVideoBackground(
      {
        inputPath,
        options,
        backgroundPath: ctx.backgroundPath,
        // Scratch names (input, background) never reach a client: errors use these.
        label: ctx.fileName,
        backgroundLabel: 'file',
        limits,
        signal: ctx.signal,
        outputPath: join(ctx.workDir, `output.${videoOutputSpec(options).extension}`),
        onProgress: (done, total) => {
          if (total !== undefined && total > 0) ctx.onProgress(Math.min(1, done / total));
        },
      },
      { segmenter, codec },
    );
    return {
      path: result.outputPath,
      contentType: result.contentType,
      extension: result.extension,
      modelId: result.modelId,
      warnings: [...result.warnings],
    };
  };
}

export interface ProcessorSetup {
  readonly segmenters: SegmenterProvider;
  /** Omitted on image-only workers (no ffmpeg needed). */
  readonly codec?: VideoCodec;
  readonly videoLimits?: VideoLimits;
}

export function createProcessors(setup: ProcessorSetup): Processors {
  return {
    image: createImageProcessor(setup.segmenters),
    ...(setup.codec
      ? { video: createVideoProcessor(setup.segmenters, setup.codec, setup.videoLimits) }
      : {}),
  };
}
