import { z } from 'zod';
import { DEFAULT_LOG_LEVEL, LOG_LEVELS } from '../adapters/observability/log.ts';
import {
  DEFAULT_INLINE_LIMIT_BYTES,
  describeBytes,
  MAX_INLINE_LIMIT_BYTES,
} from '../core/config/inline-limit.ts';
import { RECONCILER_DEFAULTS } from '../core/config/reconciler.ts';
import { DEFAULT_JOB_TTL_DAYS, QUEUE_SETTINGS } from '../core/config/resources.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../core/jobs/job-limits.ts';
import { MODEL_MANIFEST } from '../core/models/bundled-manifest.ts';
import { DEFAULT_MODEL } from '../core/params/convert-params.ts';
import { checkIngestConfig, ingestConfigShape } from './ingest-config.ts';

/**
 * The deployment's settings, read once from CDK context (`cdk.json`, or `-c cutout:<key>=<value>`
 * on the command line) and validated here, so stacks receive one typed object and never read
 * context themselves. Command-line values arrive as strings, hence the coercions.
 */

/** Single-GPU sizes with the same 4 vCPU / 16 GiB shape, so one task definition fits them all. */
export const GPU_INSTANCE_TYPES = ['g6.xlarge', 'g5.xlarge', 'g4dn.xlarge'] as const;

/** The retention periods CloudWatch Logs accepts (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** The models the worker image bakes in by default (the Dockerfile's `MODELS` build argument). */
export const DEFAULT_WORKER_MODELS = ['u2net', 'u2netp', 'u2net_human_seg'] as const;

/** Models the image build can download and verify (not generated or npm-packaged ones). */
const IMAGE_MODEL_IDS = MODEL_MANIFEST.models
  .filter((m) => m.fetch.kind === 'https')
  .map((m) => m.id);

const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  if (['true', '1', 'yes', 'on'].includes(v.toLowerCase())) return true;
  if (['false', '0', 'no', 'off'].includes(v.toLowerCase())) return false;
  return v;
}, z.boolean());

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : v,
    z.array(item).min(1),
  );

export const configSchema = z
  .object({
    /** Names the stacks (`cutout-<stage>`, `cutout-<stage>-storage`); `prod` retains data on delete. */
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, 'lower-case letters, digits and dashes, 1-20 characters')
      .default('dev'),
    /** `gpu`: ECS on EC2 GPU instances; `fargate`: CPU-only workers (no GPU quota, slower). */
    workerCompute: z.enum(['gpu', 'fargate']).default('gpu'),
    /** GPU instance types the Auto Scaling group may launch; several give spot more pools. */
    instanceTypes: list(z.enum(GPU_INSTANCE_TYPES)).default([...GPU_INSTANCE_TYPES]),
    /** Image workers kept running when idle; 0 scales to zero (first job waits for a cold start). */
    minWorkers: int(0, 50).default(0),
    /** Upper bound of image workers (one GPU instance each). */
    maxImageWorkers: int(1, 100).default(4),
    /** Upper bound of video workers (one GPU instance each). */
    maxVideoWorkers: int(1, 100).default(2),
    /** Run workers on spot capacity (GPU spot or Fargate spot): far cheaper, may be interrupted. */
    spot: bool.default(true),
    /** Days jobs, inputs and outputs live: DynamoDB TTL and S3 expiry both follow it. */
    jobTtlDays: int(1, 365).default(DEFAULT_JOB_TTL_DAYS),
    /** Days CloudWatch keeps logs (Lambda, workers, API access logs). */
    logRetentionDays: z.coerce
      .number()
      .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
        message: `one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    /**
     * Bytes of files one multipart POST may carry inline; bigger files use presigned uploads.
     * At most what fits Lambda's 6 MB event once base64-encoded (core/config/inline-limit.ts).
     */
    inlineLimitBytes: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_INLINE_LIMIT_BYTES, {
        message: `at most ${describeBytes(MAX_INLINE_LIMIT_BYTES)}: a larger body, base64-encoded, does not fit Lambda's 6 MB request event`,
      })
      .default(DEFAULT_INLINE_LIMIT_BYTES),
    /** Largest image file a job may take (inline or uploaded); checked again by the worker before reading. */
    maxImageBytes: int(1, 5 * 1024 ** 3).default(DEFAULT_MAX_IMAGE_BYTES),
    /**
     * Models baked into the worker image (verified at build); /v1/convert refuses the others.
     * Must include the default model, which requests without `model` use.
     */
    workerModels: list(
      z.string().refine((id) => IMAGE_MODEL_IDS.includes(id), {
        message: `not a downloadable model of models/manifest.json (${IMAGE_MODEL_IDS.join(', ')})`,
      }),
    )
      .refine((ids) => ids.includes(DEFAULT_MODEL), {
        message: `must include ${DEFAULT_MODEL}, the model requests get by default`,
      })
      .default([...DEFAULT_WORKER_MODELS]),
    /** Steady requests per second allowed per API key (usage plan). */
    apiRateLimit: int(1, 10_000).default(10),
    /** Burst of requests allowed per API key (usage plan). */
    apiBurstLimit: int(1, 5_000).default(20),
    /** Requests per API key per day (usage plan quota). */
    apiDailyQuota: int(1, 10_000_000).default(10_000),
    /**
     * `/v1/results` and `/v1/files` answer only requests carrying the key that created the job.
     * Off by default: the seed's clients poll with the uuid alone.
     */
    bindResultsToKey: bool.default(false),
    /**
     * /v1/convert refuses models whose weights are not permissively licensed (MIT, Apache-2.0,
     * BSD, ISC...: core/models/licence.ts), with a 400 naming `model` and the licence.
     */
    commercialSafeOnly: bool.default(false),
    /** Steady requests per second for `/v1/results` and for `/v1/files`, each (all callers). */
    pollRateLimit: int(1, 10_000).default(20),
    /** Burst for `/v1/results` and for `/v1/files`, each (all callers). */
    pollBurstLimit: int(1, 5_000).default(40),
    /** Origins allowed to upload to the inputs bucket from a browser (presigned POST). */
    corsOrigins: list(z.string().min(1)).default(['*']),
    /** Where alarm notifications go; without it they reach the SNS topic only. */
    alarmEmail: z.email().optional(),
    /**
     * Seconds a queued file may wait for a worker before the reconciler sends it again (then
     * twice as long, and so on). Longer than the queues' visibility timeouts, or messages merely
     * in flight are doubled.
     */
    reconcileQueuedAfterSeconds: int(
      2 * QUEUE_SETTINGS.video.visibilityTimeoutSeconds,
      86_400,
    ).default(RECONCILER_DEFAULTS.queuedAfterSeconds),
    /** Lowest level every function and worker logs (`LOG_LEVEL`); `debug` adds ignored events. */
    logLevel: z.enum(LOG_LEVELS).default(DEFAULT_LOG_LEVEL),
    /** Write esbuild's metafile next to each Lambda bundle (the bundle-guard test reads it). */
    bundleMetafile: bool.default(false),
    ...ingestConfigShape,
  })
  .refine((c) => c.minWorkers <= c.maxImageWorkers, {
    message: 'minWorkers must not exceed maxImageWorkers',
    path: ['minWorkers'],
  })
  .superRefine(checkIngestConfig);

export type CutoutConfig = z.infer<typeof configSchema>;

export const CONTEXT_PREFIX = 'cutout:';

/** Reads every `cutout:<key>` context value and validates the whole set at once. */
export function loadConfig(getContext: (key: string) => unknown): CutoutConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = getContext(`${CONTEXT_PREFIX}${key}`);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${CONTEXT_PREFIX}${i.path.join('.')}: ${i.message}`,
    );
    throw new Error(`invalid cutout configuration: ${issues.join('; ')}`);
  }
  return parsed.data;
}

export function stackNames(stage: string): {
  readonly service: string;
  readonly storage: string;
  /** Shared by every stage in the account and region (API Gateway's logging role). */
  readonly account: string;
} {
  return {
    service: `cutout-${stage}`,
    storage: `cutout-${stage}-storage`,
    account: 'cutout-account',
  };
}
