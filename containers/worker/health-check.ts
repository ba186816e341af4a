import { DEFAULT_LIVENESS_STALE_SECONDS, WORKER_ENV } from './env.ts';
import { checkLiveness } from './liveness.ts';

/**
 * The container health check (the ECS task definition runs it): exit 0 while the worker's
 * consumer loop keeps its liveness file fresh, 1 otherwise.
 */

const configured = Number(process.env[WORKER_ENV.livenessStaleSeconds]);
const staleSeconds =
  Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_LIVENESS_STALE_SECONDS;
const verdict = checkLiveness(process.env[WORKER_ENV.livenessFile], staleSeconds * 1000);
process.stdout.write(`${verdict.healthy ? 'healthy' : 'unhealthy'}: ${verdict.reason}\n`);
process.exit(verdict.healthy ? 0 : 1);
