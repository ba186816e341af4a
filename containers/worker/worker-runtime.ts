import type { AwsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { webhookNotifier } from '../../adapters/aws/webhook-notifier.ts';
import { createFfmpegCodec } from '../../adapters/ffmpeg/ffmpeg-codec.ts';
import { createImageUrlFetcher } from '../../adapters/http/image-url-fetcher.ts';
import { createOutboundClient, type OutboundPolicy } from '../../adapters/http/outbound-client.ts';
import type { ModelSettings } from '../../adapters/models/model-env.ts';
import type { Log } from '../../adapters/observability/log.ts';
import { createSegmenterProvider } from '../../adapters/onnx/segmenter-provider.ts';
import type { Processors } from '../../core/jobs/ports.ts';
import { type ProcessFileDeps, processFile } from '../../core/jobs/process-file.ts';
import type { VideoLimits } from '../../core/video/video-limits.ts';
import type { ProcessOne } from './handle-message.ts';
import { createProcessors } from './processors.ts';
import { createScratch } from './scratch-dir.ts';

/**
 * Everything one worker process shares across messages: the AWS adapters, one segmenter
 * provider (one ONNX session per model), the ffmpeg codec, and processFile bound to them.
 */

export interface WorkerRuntimeOptions {
  readonly clients: AwsClients;
  readonly jobsTable: string;
  readonly inputBucket: string;
  readonly outputBucket: string;
  readonly models: ModelSettings;
  /** Loaded and run once before the first message, so the first file does not pay for it. */
  readonly warmupModel?: string;
  /** Whether this worker takes video (needs ffmpeg on PATH or FFMPEG_PATH). */
  readonly video: boolean;
  readonly leaseMs: number;
  readonly progressIntervalMs?: number;
  /** Per-kind ceilings on one file (processFile's defaults when absent). */
  readonly imageDeadlineMs?: number;
  readonly videoDeadlineMs?: number;
  /** Largest image read into memory (default: DEFAULT_MAX_IMAGE_BYTES). */
  readonly maxImageBytes?: number;
  readonly scratchDir?: string;
  /** Bounds on each video (default DEFAULT_VIDEO_LIMITS). */
  readonly videoLimits?: VideoLimits;
  /** Replaces the real pipelines (reliability tests use a processor that blocks). */
  readonly processors?: Processors;
  /** The webhooks queue: each file this worker ends is reported there (core/webhooks/). */
  readonly webhookQueueUrl?: string;
  /** What `image_url` fetches may reach (default AWS's: https only, public addresses only). */
  readonly outbound?: OutboundPolicy;
  readonly log: Log;
  /** Where ffmpeg is looked up (FFMPEG_PATH, PATH). */
  readonly env: Record<string, string | undefined>;
}

export interface WorkerRuntime {
  readonly process: ProcessOne;
  /** Releases the model sessions. */
  close(): Promise<void>;
}

export async function createWorkerRuntime(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const { clients, log } = options;
  const segmenters = createSegmenterProvider(options.models, {
    log: (line) => log.info('model.loaded', { detail: line }),
  });
  if (options.warmupModel && !options.processors) {
    const started = Date.now();
    const segmenter = await segmenters.get(options.warmupModel);
    const side = segmenter.spec.inputSize;
    await segmenter.infer(new Float32Array(3 * side * side), 1);
    log.info('model.warm', {
      model: options.warmupModel,
      runs: segmenter.spec.id,
      ms: Date.now() - started,
    });
  }
  const processors =
    options.processors ??
    createProcessors({
      segmenters,
      ...(options.video ? { codec: createFfmpegCodec({ env: options.env }) } : {}),
      ...(options.videoLimits ? { videoLimits: options.videoLimits } : {}),
    });
  const deps: ProcessFileDeps = {
    repo: new DynamoJobRepository(clients.dynamo, options.jobsTable),
    inputs: new S3ObjectStore(clients.s3, clients.s3Presign, options.inputBucket),
    outputs: new S3ObjectStore(clients.s3, clients.s3Presign, options.outputBucket),
    processors,
    scratch: createScratch(options.scratchDir),
    leaseMs: options.leaseMs,
    ...(options.maxImageBytes === undefined ? {} : { maxImageBytes: options.maxImageBytes }),
    ...(options.progressIntervalMs === undefined
      ? {}
      : { progressIntervalMs: options.progressIntervalMs }),
    ...(options.imageDeadlineMs === undefined ? {} : { imageDeadlineMs: options.imageDeadlineMs }),
    ...(options.videoDeadlineMs === undefined ? {} : { videoDeadlineMs: options.videoDeadlineMs }),
    fetchImageUrl: createImageUrlFetcher(
      createOutboundClient(options.outbound ?? { allowHttp: false, allowedCidrs: [] }),
    ),
  };
  const notify = webhookNotifier({
    dynamo: clients.dynamo,
    sqs: clients.sqs,
    jobsTable: options.jobsTable,
    queueUrl: options.webhookQueueUrl,
  });
  return {
    process: async (message, processOptions) => {
      const outcome = await processFile(message, deps, processOptions);
      if (notify && (outcome.outcome === 'done' || outcome.outcome === 'failed')) {
        // The file's verdict stands whatever happens here; a lost event is the reconciler's.
        await notify(message.jobId, message.fileId).catch((error: unknown) =>
          log.warn('webhook.notify.failed', { jobId: message.jobId, error: String(error) }),
        );
      }
      return outcome;
    },
    close: () => segmenters.close(),
  };
}
