import { createAwsClients } from '../../adapters/aws/clients.ts';
import { modelSettingsFromEnv } from '../../adapters/models/model-env.ts';
import { createLog, type Log } from '../../adapters/observability/log.ts';
import { stdoutMetrics } from '../../adapters/observability/metrics.ts';
import { toCutoutError } from '../../core/errors.ts';
import { parseWorkerEnv } from './env.ts';
import { startLiveness } from './liveness.ts';
import { startWorker } from './start-worker.ts';
import { createTaskProtection, reportProtectionFailure } from './task-protection.ts';
import { createWorkerRuntime } from './worker-runtime.ts';

/**
 * The worker container's entry point: parse the environment once, load and warm the model,
 * consume the queues, and on SIGTERM (ECS stopping the task) drain and exit.
 */

const SERVICE = 'cutout-worker';
// Until the environment is parsed (its LOG_LEVEL included), start-up failures log at info.
let log: Log = createLog({ service: SERVICE });
const metrics = stdoutMetrics();

// A handler past its deadline gets this long (the processor's stop, the verdict's write) before
// the loop counts as wedged.
const HANDLER_SLACK_MS = 120_000;

async function main(): Promise<void> {
  const env = parseWorkerEnv(process.env);
  log = createLog({ service: SERVICE, level: env.logLevel });
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
    imageDeadlineMs: env.imageDeadlineMs,
    videoDeadlineMs: env.videoDeadlineMs,
    maxImageBytes: env.maxImageBytes,
    ...(env.scratchDir ? { scratchDir: env.scratchDir } : {}),
    videoLimits: env.videoLimits,
    ...(env.webhookQueueUrl ? { webhookQueueUrl: env.webhookQueueUrl } : {}),
    outbound: env.outbound,
    log,
    env: process.env,
  });
  const liveness = env.livenessFile
    ? startLiveness({
        file: env.livenessFile,
        staleMs: env.livenessStaleMs,
        handlerLimitMs: (kind) =>
          (kind === 'image' ? env.imageDeadlineMs : env.videoDeadlineMs) + HANDLER_SLACK_MS,
        onChange: (alive, detail) =>
          alive
            ? log.info('liveness.resumed', { detail })
            : log.error('liveness.wedged', { detail }),
      })
    : undefined;
  const worker = startWorker({
    sqs: clients.sqs,
    queues: env.queues,
    process: liveness ? liveness.watch(runtime.process) : runtime.process,
    waitTimeSeconds: env.waitTimeSeconds,
    retryDelaySeconds: env.retryDelaySeconds,
    drainMs: env.drainMs,
    protection: createTaskProtection({
      agentUri: env.ecsAgentUri,
      onError: reportProtectionFailure(log, metrics),
    }),
    log,
    metrics,
  });

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    // The liveness file stays fresh while draining: the loop is alive, only finishing.
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
