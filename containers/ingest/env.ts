import { z } from 'zod';
import { booleanFlag } from '../../core/config/contract.ts';
import { DEFAULT_JOB_LIMITS } from '../../core/jobs/job-limits.ts';
import { AUTHORIZER_CACHE_SECONDS } from '../../functions/authorizer/cache-ttl.ts';
import { convertEnvShape } from '../../functions/convert/env.ts';
import { filesEnvShape } from '../../functions/files/env.ts';
import { resultsEnvShape } from '../../functions/results/env.ts';
import { keysTableShape, outputBucketShape, parseEnv } from '../../functions/shared/env-schema.ts';

/**
 * The streaming front door's environment: everything the convert, results and files handlers
 * read (it serves their routes with the same code), the keys table it authenticates against (no
 * authorizer runs in front of it), and its own server settings.
 */

export const INGEST_ENV = {
  port: 'INGEST_PORT',
  host: 'INGEST_HOST',
  idleTimeoutSeconds: 'INGEST_IDLE_TIMEOUT_SECONDS',
  maxUploadBytes: 'INGEST_MAX_UPLOAD_BYTES',
  rateLimit: 'INGEST_RATE_LIMIT',
  burstLimit: 'INGEST_BURST_LIMIT',
  keyCacheSeconds: 'INGEST_KEY_CACHE_SECONDS',
  webPage: 'INGEST_WEB_PAGE',
  drainSeconds: 'INGEST_DRAIN_SECONDS',
} as const;

/** The container's port; the target group and the health check use it. */
export const DEFAULT_INGEST_PORT = 8080;
/** The path the load balancer's health check (and the container's) calls. */
export const INGEST_HEALTH_PATH = '/healthz';
/** Drain on SIGTERM; ECS's stopTimeout (120 s at most on Fargate) must exceed it. */
export const DEFAULT_INGEST_DRAIN_SECONDS = 110;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ingestOwnShape = {
  [INGEST_ENV.port]: int(0, 65_535)
    .default(DEFAULT_INGEST_PORT)
    .describe('Port the streaming front door listens on.'),
  [INGEST_ENV.host]: z
    .string()
    .min(1)
    .default('0.0.0.0')
    .describe('Interface the streaming front door binds (all of them in a container).'),
  [INGEST_ENV.idleTimeoutSeconds]: int(1, 3600)
    .default(60)
    .describe('A request that sends no byte for this long is cut (408) and its uploads aborted.'),
  [INGEST_ENV.maxUploadBytes]: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_JOB_LIMITS.maxUploadBytes)
    .describe('Largest video file one request may stream (images stop at MAX_IMAGE_BYTES).'),
  [INGEST_ENV.rateLimit]: int(1, 10_000)
    .default(10)
    .describe('Steady requests per second allowed per API key, per task.'),
  [INGEST_ENV.burstLimit]: int(1, 5_000)
    .default(20)
    .describe('Burst of requests allowed per API key, per task.'),
  [INGEST_ENV.keyCacheSeconds]: int(0, 3600)
    .default(AUTHORIZER_CACHE_SECONDS)
    .describe(
      "How long a verified key is trusted before it is read again (the authorizer's cache TTL): a revoked key works for at most this long (0 in the local stack unless set).",
    ),
  [INGEST_ENV.webPage]: booleanFlag(true).describe('Serve the web page at `/`.'),
  [INGEST_ENV.drainSeconds]: int(0, 120)
    .default(DEFAULT_INGEST_DRAIN_SECONDS)
    .describe(
      'On SIGTERM, how long uploads in progress may finish before the process exits (under the task stopTimeout, at most 120).',
    ),
};

export const ingestEnvShape = {
  ...convertEnvShape,
  ...resultsEnvShape,
  ...filesEnvShape,
  ...keysTableShape,
  ...outputBucketShape,
  ...ingestOwnShape,
};

/** The ingest service's environment, parsed once at start. */
export function parseIngestEnv(source: Record<string, string | undefined>) {
  return parseEnv(ingestEnvShape, source);
}

export type IngestConfig = ReturnType<typeof parseIngestEnv>;
