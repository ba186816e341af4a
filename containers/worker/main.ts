import { createAwsClients } from '../../adapters/aws/clients.ts';
import { modelSettingsFromEnv } from '../../adapters/models/model-env.ts';
import { toCutoutError } from '../../core/errors.ts';
import { parseWorkerEnv } from './env.ts';
import { stdoutMetrics } from './metrics.ts';
import { startWorker } from './start-worker.ts';
import { createTaskProtection } from './task-protection.ts';
import { jsonLog } from './worker-log.ts';
import { createWorkerRuntime } from './worker-runtime.ts';

/**
 * The worker container's entry point: parse the environment once, load and warm the model,
 * consume the queues, and on SIGTERM (ECS stopping the task) drain and exit.
 */

const writeLine = (line: string) => process.stdout.write(`${line}\n`);
const log = jsonLog(writeLine, { service: 'cutout-worker' });

async function main(): Promise<void> {
  const env = parseWorkerEnv(process.env);
  const models = modelSettingsFromEnv(process.env);
  const clients = createAwsClients(env.aws);
  const runtime = await createWorkerRuntime({
    clients,
    jobsTable: env.jobsTable,
    inputBucket: env.inputBucket,
    outputBucket: env.outputBucket,
    models,
    warmupModel: env.warmupModel,
    video: env.queues.some((q) => q.kind === 'video'),
    leaseMs: env.leaseMs,
    ...(env.scratchDir ? { scratchDir: env.scratchDir } : {}),
    log,
    env: process.env,
  });
  const worker = startWorker({
    sqs: clients.sqs,
    queues: env.queues,
    process: runtime.process,
    waitTimeSeconds: env.waitTimeSeconds,
    retryDelaySeconds: env.retryDelaySeconds,
    drainMs: env.drainMs,
    protection: createTaskProtection({
      agentUri: env.ecsAgentUri,
      onError: (error) => log.warn('task-protection.error', { error: String(error) }),
    }),
    log,
    metrics: stdoutMetrics(writeLine),
  });

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    log.info('worker.signal', { signal });
    worker
      .stop()
      .then(() => runtime.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error('worker.stop-failed', { error: String(error) });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  const e = toCutoutError(error);
  log.error('worker.start-failed', { code: e.code, error: e.message });
  process.exit(1);
});
