import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { createLog } from '../../adapters/observability/log.ts';
import { stdoutMetrics } from '../../adapters/observability/metrics.ts';
import { convertJobDeps } from '../../functions/convert/convert-deps.ts';
import { createFilesHandler } from '../../functions/files/create-handler.ts';
import { createResultsHandler } from '../../functions/results/create-handler.ts';
import { clientsFor, type HandlerDeps } from '../../functions/shared/handler-deps.ts';
import { loadWebAssets, type WebAssets } from '../../local/web-assets.ts';
import type { IngestConfig } from './env.ts';
import { type IngestServer, startIngestServer } from './ingest-server.ts';
import { createCachedKeyVerifier } from './key-cache.ts';
import { createKeyRateLimiter } from './rate-limit.ts';
import { streamConvert } from './stream-convert.ts';
import { ingestTimeouts } from './timeouts.ts';

/**
 * The streaming front door built from its parsed configuration: the results and files handlers
 * from their Lambda factories, jobs created under the convert Lambda's rules (convert-deps.ts),
 * keys checked against the keys table. The container (main.ts) and the local stack start it
 * through here.
 */

export interface IngestServiceDeps extends Partial<HandlerDeps> {
  /** Called before a convert is accepted (the local stack's disk budget). */
  readonly admit?: () => Promise<void>;
  /** The page's files; loaded from local/web when absent and INGEST_WEB_PAGE is on. */
  readonly web?: WebAssets;
  /** Filled into the page for loopback visitors (the local stack's development key). */
  readonly devKey?: string;
}

export const INGEST_SERVICE = 'cutout-ingest';

export async function startIngestService(
  config: IngestConfig,
  deps: IngestServiceDeps = {},
): Promise<IngestServer> {
  const aws = clientsFor(config, deps);
  const log = deps.log ?? createLog({ service: INGEST_SERVICE, level: config.LOG_LEVEL });
  const as = (name: string): Partial<HandlerDeps> => ({
    ...deps,
    clients: aws,
    log: log.with({ function: name }),
  });
  const jobDeps = convertJobDeps(config, aws);
  const uploadLog = log.with({ function: 'convert' });
  const web = config.INGEST_WEB_PAGE ? (deps.web ?? (await loadWebAssets())) : undefined;
  return startIngestServer({
    port: config.INGEST_PORT,
    host: config.INGEST_HOST,
    handlers: {
      results: createResultsHandler(config, as('results')),
      files: createFilesHandler(config, as('files')),
    },
    convert: (request, apiKeyId) =>
      streamConvert(request, apiKeyId, {
        ...jobDeps,
        maxUploadBytes: config.INGEST_MAX_UPLOAD_BYTES,
        log: uploadLog,
      }),
    verifyKey: createCachedKeyVerifier({
      keys: new DynamoKeyStore(aws.dynamo, config.KEYS_TABLE_NAME),
      ttlMs: config.INGEST_KEY_CACHE_SECONDS * 1000,
    }),
    rateLimit: createKeyRateLimiter({
      rate: config.INGEST_RATE_LIMIT,
      burst: config.INGEST_BURST_LIMIT,
    }),
    timeouts: ingestTimeouts(config.INGEST_IDLE_TIMEOUT_SECONDS),
    ...(deps.admit ? { admit: deps.admit } : {}),
    ...(web ? { web } : {}),
    ...(deps.devKey ? { devKey: deps.devKey } : {}),
    log,
    metrics: deps.metrics ?? stdoutMetrics(),
  });
}
