import { z } from 'zod';
import type { AwsClientConfig } from '../../adapters/aws/clients.ts';
import type { OutboundPolicy } from '../../adapters/http/outbound-client.ts';
import { OUTBOUND_ENV, outboundEnvShapeAws } from '../../adapters/http/outbound-env.ts';
import { modelEnvShape } from '../../adapters/models/model-env.ts';
import { LOG_LEVEL_ENV, type LogLevel, logLevelShape } from '../../adapters/observability/log.ts';
import {
  configurationProblem,
  heartbeatSecondsFor,
  parseConfig,
} from '../../core/config/contract.ts';
import { ENV, QUEUE_SETTINGS } from '../../core/config/resources.ts';
import { maxImageBytesShape } from '../../core/jobs/job-limits.ts';
import {
  DEFAULT_IMAGE_DEADLINE_MS,
  DEFAULT_VIDEO_DEADLINE_MS,
} from '../../core/jobs/process-file.ts';
import type { VideoLimits } from '../../core/video/video-limits.ts';
import { WEBHOOK_ENV } from '../../core/webhooks/webhook-settings.ts';
import { videoLimitsEnvShape, videoLimitsFrom } from './video-limits-env.ts';

/**
 * The worker's configuration, parsed once from the environment at start. Resource names have no
 * defaults (a missing one fails the start naming the variable); tunables do.
 */

/** Worker-only variables; the CDK app sets them on the task definition by these names. */
export const WORKER_ENV = {
  queues: 'WORKER_QUEUES',
  imageConcurrency: 'WORKER_IMAGE_CONCURRENCY',
  videoConcurrency: 'WORKER_VIDEO_CONCURRENCY',
  imageVisibilitySeconds: 'WORKER_IMAGE_VISIBILITY_SECONDS',
  videoVisibilitySeconds: 'WORKER_VIDEO_VISIBILITY_SECONDS',
  heartbeatSeconds: 'WORKER_HEARTBEAT_SECONDS',
  waitTimeSeconds: 'WORKER_WAIT_TIME_SECONDS',
  retryDelaySeconds: 'WORKER_RETRY_DELAY_SECONDS',
  leaseSeconds: 'WORKER_LEASE_SECONDS',
  drainSeconds: 'WORKER_DRAIN_SECONDS',
  /** Ceiling on one image file, from its claim to its output written. */
  imageDeadlineSeconds: 'WORKER_IMAGE_DEADLINE_SECONDS',
  /** Ceiling on one video file; the video processor tightens it from the probed duration. */
  videoDeadlineSeconds: 'WORKER_VIDEO_DEADLINE_SECONDS',
  warmupModel: 'WORKER_WARMUP_MODEL',
  scratchDir: 'WORKER_SCRATCH_DIR',
  ecsAgentUri: 'ECS_AGENT_URI',
  /** The file the consumer loop touches while it is alive; the container health check reads it. */
  livenessFile: 'WORKER_LIVENESS_FILE',
  /** The health check fails once the file is older than this. */
  livenessStaleSeconds: 'WORKER_LIVENESS_STALE_SECONDS',
} as const;

export const DEFAULT_LIVENESS_STALE_SECONDS = 60;

const url = z.string().refine((text) => URL.canParse(text), 'must be an absolute URL');
// Only an id for SQS (the client sends to its endpoint); emulators' queue URLs do not always parse.
const queueUrl = z.string().min(1);
const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const queueKinds = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(['image', 'video'])).min(1));

/** Every variable the worker task reads (model settings aside: adapters/models/model-env.ts). */
export const workerEnvShape = {
  [ENV.jobsTable]: z.string().min(1).describe('DynamoDB table of jobs and their files.'),
  [ENV.inputBucket]: z.string().min(1).describe('S3 bucket of uploaded and inline inputs.'),
  [ENV.outputBucket]: z.string().min(1).describe('S3 bucket of results.'),
  [ENV.imageQueueUrl]: queueUrl
    .optional()
    .describe('SQS queue of image files; required when the worker takes images.'),
  [ENV.videoQueueUrl]: queueUrl
    .optional()
    .describe('SQS queue of video files; required when the worker takes videos.'),
  [WORKER_ENV.queues]: queueKinds
    .default(['image', 'video'])
    .describe('Comma-separated kinds this worker takes: image, video.'),
  [WORKER_ENV.imageConcurrency]: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe('Image files processed at once.'),
  [WORKER_ENV.videoConcurrency]: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(1)
    .describe('Video files processed at once.'),
  [WORKER_ENV.imageVisibilitySeconds]: seconds(2, 43_200)
    .default(QUEUE_SETTINGS.image.visibilityTimeoutSeconds)
    .describe("The image queue's visibility timeout, in seconds."),
  [WORKER_ENV.videoVisibilitySeconds]: seconds(2, 43_200)
    .default(QUEUE_SETTINGS.video.visibilityTimeoutSeconds)
    .describe("The video queue's visibility timeout, in seconds."),
  [WORKER_ENV.heartbeatSeconds]: seconds(1, 3_600)
    .optional()
    .describe('Seconds between visibility extensions; unset: a third of the visibility timeout.'),
  [WORKER_ENV.waitTimeSeconds]: seconds(0, 20)
    .default(20)
    .describe('SQS long-poll wait, in seconds.'),
  [WORKER_ENV.retryDelaySeconds]: seconds(1, 900)
    .default(10)
    .describe('Seconds before a retryable failure is received again.'),
  [WORKER_ENV.leaseSeconds]: seconds(1, 43_200)
    .optional()
    .describe("A claim's lease, in seconds; unset: half the shortest visibility timeout."),
  // ECS waits stopTimeout (at most 120 s) between SIGTERM and SIGKILL.
  [WORKER_ENV.drainSeconds]: seconds(0, 3_600)
    .default(100)
    .describe('Seconds files in progress get to finish after SIGTERM.'),
  [WORKER_ENV.imageDeadlineSeconds]: seconds(1, 86_400)
    .default(DEFAULT_IMAGE_DEADLINE_MS / 1000)
    .describe('Ceiling on one image file, from claim to output, in seconds.'),
  [WORKER_ENV.videoDeadlineSeconds]: seconds(1, 7 * 86_400)
    .default(DEFAULT_VIDEO_DEADLINE_MS / 1000)
    .describe('Ceiling on one video file, in seconds (tightened from its duration).'),
  [WORKER_ENV.warmupModel]: z
    .string()
    .min(1)
    .default('u2net')
    .describe('Model loaded at start, before the first message.'),
  [WORKER_ENV.scratchDir]: z
    .string()
    .min(1)
    .optional()
    .describe('Directory for temporary files; unset: the system temporary directory.'),
  [WORKER_ENV.ecsAgentUri]: url
    .optional()
    .describe('ECS agent endpoint for task protection (set by ECS).'),
  [WORKER_ENV.livenessFile]: z
    .string()
    .min(1)
    .optional()
    .describe('File touched while the consumer loop lives; unset: none.'),
  [WORKER_ENV.livenessStaleSeconds]: seconds(2, 3_600)
    .default(DEFAULT_LIVENESS_STALE_SECONDS)
    .describe('The health check fails once the liveness file is this many seconds old.'),
  [WEBHOOK_ENV.queueUrl]: queueUrl
    .optional()
    .describe(
      'SQS queue of webhook events; unset: the reconciler sends the events of finished jobs.',
    ),
  ...maxImageBytesShape,
  ...videoLimitsEnvShape,
  ...logLevelShape,
  // What image_url fetches may reach: https and public addresses only unless set.
  ...outboundEnvShapeAws,
  AWS_REGION: z
    .string()
    .min(1)
    .default('us-east-1')
    .describe('AWS region of the clients (Lambda and ECS set it).'),
  // Emulator endpoints: set only by the local stack and tests.
  AWS_ENDPOINT_URL: url.optional().describe('Endpoint for every AWS client (emulators only).'),
  AWS_ENDPOINT_URL_S3: url.optional().describe('S3 endpoint (emulators only).'),
  AWS_ENDPOINT_URL_SQS: url.optional().describe('SQS endpoint (emulators only).'),
  AWS_ENDPOINT_URL_DYNAMODB: url.optional().describe('DynamoDB endpoint (emulators only).'),
};

/** What the task definition may set: the worker's variables and the model loader's. */
export const workerTaskEnvShape = { ...workerEnvShape, ...modelEnvShape };

export interface QueueSettings {
  readonly kind: 'image' | 'video';
  readonly url: string;
  readonly concurrency: number;
  readonly visibilityTimeoutSeconds: number;
  readonly heartbeatSeconds: number;
}

export interface WorkerEnv {
  readonly aws: AwsClientConfig;
  readonly jobsTable: string;
  readonly inputBucket: string;
  readonly outputBucket: string;
  readonly queues: readonly QueueSettings[];
  readonly waitTimeSeconds: number;
  readonly retryDelaySeconds: number;
  /** A claim's lease; below every visibility timeout so a crash's redelivery finds it over. */
  readonly leaseMs: number;
  readonly drainMs: number;
  /** Per-kind ceilings on one file; past them the file fails with DEADLINE_EXCEEDED. */
  readonly imageDeadlineMs: number;
  readonly videoDeadlineMs: number;
  readonly warmupModel: string;
  readonly scratchDir: string | undefined;
  readonly ecsAgentUri: string | undefined;
  /** Undefined: no liveness file is kept (local runs). */
  readonly livenessFile: string | undefined;
  readonly livenessStaleMs: number;
  readonly videoLimits: VideoLimits;
  /** Largest image the worker reads into memory; a larger one fails its file unread. */
  readonly maxImageBytes: number;
  /** Lines below it are not written (LOG_LEVEL, default info). */
  readonly logLevel: LogLevel;
  /** Where a finished job's webhook event is sent; undefined: no webhooks from this worker. */
  readonly webhookQueueUrl: string | undefined;
  /** What `image_url` fetches may reach (CUTOUT_OUTBOUND_*). */
  readonly outbound: OutboundPolicy;
}

/** @throws CutoutError CONFIGURATION naming every bad or missing variable */
export function parseWorkerEnv(env: Record<string, string | undefined>): WorkerEnv {
  const e = parseConfig(workerEnvShape, env);
  const queues: QueueSettings[] = [];
  for (const kind of e[WORKER_ENV.queues]) {
    const url = kind === 'image' ? e[ENV.imageQueueUrl] : e[ENV.videoQueueUrl];
    const name = kind === 'image' ? ENV.imageQueueUrl : ENV.videoQueueUrl;
    if (!url)
      throw configurationProblem(name, `is required when ${WORKER_ENV.queues} includes ${kind}`);
    const visibility =
      kind === 'image'
        ? e[WORKER_ENV.imageVisibilitySeconds]
        : e[WORKER_ENV.videoVisibilitySeconds];
    queues.push({
      kind,
      url,
      concurrency:
        kind === 'image' ? e[WORKER_ENV.imageConcurrency] : e[WORKER_ENV.videoConcurrency],
      visibilityTimeoutSeconds: visibility,
      heartbeatSeconds: heartbeatSecondsFor(visibility, e[WORKER_ENV.heartbeatSeconds]),
    });
  }
  const shortestVisibility = Math.min(...queues.map((q) => q.visibilityTimeoutSeconds));
  const leaseSeconds =
    e[WORKER_ENV.leaseSeconds] ?? Math.max(1, Math.floor(shortestVisibility / 2));
  if (leaseSeconds >= shortestVisibility) {
    throw configurationProblem(
      WORKER_ENV.leaseSeconds,
      `must be below the shortest visibility timeout (${shortestVisibility} s)`,
    );
  }
  const endpoint = (specific: string | undefined) => specific ?? e.AWS_ENDPOINT_URL;
  const endpoints = {
    s3: endpoint(e.AWS_ENDPOINT_URL_S3),
    sqs: endpoint(e.AWS_ENDPOINT_URL_SQS),
    dynamodb: endpoint(e.AWS_ENDPOINT_URL_DYNAMODB),
  };
  const aws: AwsClientConfig = {
    region: e.AWS_REGION,
    ...(endpoints.s3 || endpoints.sqs || endpoints.dynamodb
      ? {
          endpoints: Object.fromEntries(
            Object.entries(endpoints).filter(([, url]) => url !== undefined),
          ) as AwsClientConfig['endpoints'],
        }
      : {}),
  };
  return Object.freeze({
    aws,
    jobsTable: e[ENV.jobsTable],
    inputBucket: e[ENV.inputBucket],
    outputBucket: e[ENV.outputBucket],
    queues,
    waitTimeSeconds: e[WORKER_ENV.waitTimeSeconds],
    retryDelaySeconds: e[WORKER_ENV.retryDelaySeconds],
    leaseMs: leaseSeconds * 1000,
    drainMs: e[WORKER_ENV.drainSeconds] * 1000,
    imageDeadlineMs: e[WORKER_ENV.imageDeadlineSeconds] * 1000,
    videoDeadlineMs: e[WORKER_ENV.videoDeadlineSeconds] * 1000,
    warmupModel: e[WORKER_ENV.warmupModel],
    scratchDir: e[WORKER_ENV.scratchDir],
    ecsAgentUri: e[WORKER_ENV.ecsAgentUri],
    livenessFile: e[WORKER_ENV.livenessFile],
    livenessStaleMs: e[WORKER_ENV.livenessStaleSeconds] * 1000,
    videoLimits: videoLimitsFrom(e),
    maxImageBytes: e[ENV.maxImageBytes],
    logLevel: e[LOG_LEVEL_ENV],
    webhookQueueUrl: e[WEBHOOK_ENV.queueUrl],
    outbound: {
      allowHttp: e[OUTBOUND_ENV.allowHttp],
      allowedCidrs: e[OUTBOUND_ENV.allowCidrs],
    },
  });
}
