import { join } from 'node:path';
import { CutoutError } from '../errors.ts';
import type { ImageOptions, VideoOptions } from '../params/convert-params.ts';
import type { ProgressReporter } from './file-lease.ts';
import { fetchImageInput, type ImageUrlFetcher } from './image-url-input.ts';
import type { FileRecord, JobRecord } from './job.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from './job-limits.ts';
import type { ObjectStore, ProcessedOutput, Processors, Scratch } from './ports.ts';

/** What running a processor needs: a subset of ProcessFileDeps. */
export interface RunProcessorDeps {
  readonly inputs: ObjectStore;
  readonly outputs: ObjectStore;
  readonly processors: Processors;
  readonly scratch?: Scratch;
  readonly maxImageBytes?: number;
  /** Fetches `image_url` inputs (through the outbound guard); absent: such files fail. */
  readonly fetchImageUrl?: ImageUrlFetcher;
}

export type FinishedOutput = ProcessedOutput & { outputContentType: string; outputSize: number };

/**
 * Reads the file's input (and the job's background), runs the processor for the job's kind
 * under `signal`, and writes the output under the file's fixed key.
 */
export function runProcessor(
  job: JobRecord,
  file: FileRecord,
  deps: RunProcessorDeps,
  signal: AbortSignal,
  onProgress: ProgressReporter,
): Promise<FinishedOutput> {
  const options = job.options;
  return options.kind === 'image'
    ? runImage(options, job, file, deps, signal, onProgress)
    : runVideo(options, job, file, deps, signal, onProgress);
}

async function runImage(
  options: ImageOptions,
  job: JobRecord,
  file: FileRecord,
  deps: RunProcessorDeps,
  signal: AbortSignal,
  onProgress: ProgressReporter,
): Promise<FinishedOutput> {
  const processor = deps.processors.image;
  if (!processor) throw new CutoutError('MODEL_UNAVAILABLE', 'this worker has no image processor');
  // Images are held in memory: an object over the cap is refused by its size, unread.
  const bounded = { maxBytes: deps.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES };
  await fetchImageInput(file, deps, bounded.maxBytes, signal);
  const [input, background] = await Promise.all([
    deps.inputs.get(file.inputKey, bounded),
    job.backgroundKey ? deps.inputs.get(job.backgroundKey, bounded) : Promise.resolve(undefined),
  ]);
  const result = await processor(input, options, {
    fileName: file.inputName,
    ...(background ? { background } : {}),
    signal,
    onProgress,
  });
  await onProgress.settled();
  await deps.outputs.put(file.outputKey, result.data, {
    contentType: result.contentType,
    downloadName: file.outputName,
  });
  return { ...result, outputContentType: result.contentType, outputSize: result.data.byteLength };
}

async function runVideo(
  options: VideoOptions,
  job: JobRecord,
  file: FileRecord,
  deps: RunProcessorDeps,
  signal: AbortSignal,
  onProgress: ProgressReporter,
): Promise<FinishedOutput> {
  const processor = deps.processors.video;
  if (!processor) throw new CutoutError('MODEL_UNAVAILABLE', 'this worker has no video processor');
  if (!deps.scratch) throw new CutoutError('INTERNAL', 'video processing needs a scratch folder');
  const workDir = await deps.scratch.makeDir(`${file.jobId}-${file.fileId}`);
  try {
    // Neutral names: the video processor sniffs the container from the bytes, never trusting
    // the client's extension (a playlist named .mp4 must not reach ffmpeg's HLS demuxer).
    const inputPath = join(workDir, 'input');
    const bgPath = job.backgroundKey ? join(workDir, 'background') : undefined;
    await Promise.all([
      deps.inputs.getToFile(file.inputKey, inputPath),
      job.backgroundKey && bgPath ? deps.inputs.getToFile(job.backgroundKey, bgPath) : undefined,
    ]);
    const result = await processor(inputPath, options, {
      fileName: file.inputName,
      ...(bgPath ? { backgroundPath: bgPath } : {}),
      workDir,
      signal,
      onProgress,
    });
    await onProgress.settled();
    await deps.outputs.putFile(file.outputKey, result.path, {
      contentType: result.contentType,
      downloadName: file.outputName,
    });
    const size = (await deps.outputs.head(file.outputKey))?.size ?? 0;
    return { ...result, outputContentType: result.contentType, outputSize: size };
  } finally {
    await deps.scratch.remove(workDir).catch(() => undefined);
  }
}
