import { createLog, type Log } from '../../adapters/observability/log.ts';
import { toCutoutError } from '../../core/errors.ts';
import { parseIngestEnv } from './env.ts';
import { INGEST_SERVICE, startIngestService } from './ingest-service.ts';

/**
 * The ingest container's entry point: parse the environment once, serve, and on SIGTERM (ECS
 * stopping the task) stop accepting, let uploads in flight finish for INGEST_DRAIN_SECONDS,
 * cut (and clean up) the rest, and exit.
 */

// Until the environment is parsed (its LOG_LEVEL included), start-up failures log at info.
let log: Log = createLog({ service: INGEST_SERVICE });

async function main(): Promise<void> {
  const config = parseIngestEnv(process.env);
  log = createLog({ service: INGEST_SERVICE, level: config.LOG_LEVEL });
  const server = await startIngestService(config, { log });
  log.info('ingest.started', { port: server.port, host: config.INGEST_HOST });

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    log.info('ingest.signal', { signal, inFlight: server.inFlight() });
    server.close(config.INGEST_DRAIN_SECONDS * 1000).then(
      (cut) => {
        log.info('ingest.stopped', { cut });
        process.exit(0);
      },
      (error: unknown) => {
        log.error('ingest.stop-failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  const e = toCutoutError(error);
  log.error('ingest.start-failed', { code: e.code, error: e.message });
  process.exit(1);
});
