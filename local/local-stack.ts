import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type AwsClients, createAwsClients } from '../adapters/aws/clients.ts';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store.ts';
import { outboundPolicyFromEnv } from '../adapters/http/outbound-env.ts';
import { lambdaContext } from '../adapters/http/proxy-event.ts';
import type { ModelSettings } from '../adapters/models/model-env.ts';
import { type Log, silentLog } from '../adapters/observability/log.ts';
import type { MetricsWriter } from '../adapters/observability/metrics.ts';
import type { QueueSettings } from '../containers/worker/env.ts';
import { startWorker, type WorkerHandle } from '../containers/worker/start-worker.ts';
import { createWorkerRuntime, type WorkerRuntime } from '../containers/worker/worker-runtime.ts';
import { heartbeatSecondsFor } from '../core/config/contract.ts';
import { RECONCILER_DEFAULTS, RECONCILER_ENV } from '../core/config/reconciler.ts';
import { QUEUE_SETTINGS, RESOURCES } from '../core/config/resources.ts';
import type { Processors } from '../core/jobs/ports.ts';
import { WEBHOOK_ENV } from '../core/webhooks/webhook-settings.ts';
import type { ReconcileRun } from '../functions/reconciler/create-handler.ts';
import { ensureDevKey } from './dev-key.ts';
import type { DiskBudget } from './disk-budget.ts';
import { type EmulatorOptions, type Emulators, startEmulators } from './emulators.ts';
import { type FrontDoor, type RunningFrontDoor, startFrontDoor } from './front-door.ts';
import { createLambdaHandlers, type LambdaHandlers } from './lambda-handlers.ts';
import { type SqsEventRelay, startSqsEventRelay } from './sqs-event-relay.ts';
import { clearStackState, writeStackState } from './stack-state.ts';
import { startStorageUpkeep, storageSettings } from './storage-upkeep.ts';
import type { SweepReport } from './ttl-sweeper.ts';
import { loadWebAssets } from './web-assets.ts';

/**
 * The whole service in one process: emulators, the API behind its front door (the streaming
 * ingest service, or the Lambda handlers behind a local API Gateway: front-door.ts),
 * the S3 upload and dead-letter event sources, and N workers sharing one model runtime.
 * `npm start` (local/stack.ts) and the end-to-end tests both start it through here.
 */

export interface LocalStackOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** Keeps state between runs; a temporary folder (removed on stop) when absent. */
  readonly dataDir?: string;
  readonly workers: number;
  /** Pins the development key (`CUTOUT_API_KEY`). */
  readonly apiKey?: string;
  readonly models: ModelSettings;
  /** Loaded and run once at start; undefined skips the warm-up. */
  readonly warmupModel?: string;
  /** Whether workers take video (needs ffmpeg). */
  readonly video: boolean;
  /** Queue overrides (tests use short visibility timeouts). */
  readonly queues?: EmulatorOptions['queues'];
  readonly worker?: {
    readonly waitTimeSeconds?: number;
    readonly retryDelaySeconds?: number;
    readonly leaseMs?: number;
    readonly drainMs?: number;
    readonly progressIntervalMs?: number;
    /** Per-kind ceilings on one file (the worker's defaults when absent). */
    readonly imageDeadlineMs?: number;
    readonly videoDeadlineMs?: number;
    /** Replaces the pipelines (reliability tests). */
    readonly processors?: Processors;
  };
  /**
   * The user's environment: where ffmpeg is looked up, the handlers' settings (model aliases,
   * limits, LOG_LEVEL) under the names their Lambdas read, and where the pointer file for
   * `cutout keys` is written when `publish`. Read only, never written.
   */
  readonly env: Record<string, string | undefined>;
  /**
   * The reconciler runs on a timer as the schedule runs it on AWS; thresholds go to its handler
   * through the same RECONCILE_* variables the Lambda reads (unset: the user's, else defaults).
   */
  readonly reconciler?: {
    /** Default every RECONCILER_DEFAULTS.intervalMinutes; 0 never (tests call reconcile()). */
    readonly intervalMs?: number;
    readonly queuedAfterSeconds?: number;
    readonly uploadGraceSeconds?: number;
    readonly abandonUploadAfterSeconds?: number;
    /** A claimed webhook event without news this long is sent again (RECONCILE_WEBHOOK_STALE_SECONDS). */
    readonly webhookStaleSeconds?: number;
    /** How long a finished job's event is left to its worker (RECONCILE_WEBHOOK_GRACE_SECONDS). */
    readonly webhookGraceSeconds?: number;
  };
  /**
   * Webhook delivery: its settings go to the delivery handler through the WEBHOOK_* variables
   * (unset: the user's, else defaults); `pollers` deliver at once (default 4). The outbound
   * guard allows http and loopback here unless `env` sets CUTOUT_OUTBOUND_ALLOW_HTTP or
   * CUTOUT_OUTBOUND_ALLOW_CIDRS (docs/webhooks.md).
   */
  readonly webhooks?: {
    readonly maxAttempts?: number;
    readonly retryBaseSeconds?: number;
    readonly timeoutSeconds?: number;
    readonly pollers?: number;
  };
  /** Announce this stack to `cutout keys` through the user's cache folder. */
  readonly publish?: boolean;
  /** Workers' and handlers' log lines (silent when absent). */
  readonly log?: Log;
  /** The handlers' EMF records (stdout when absent, as a Lambda writes them). */
  readonly metrics?: MetricsWriter;
  readonly requestLog?: (line: string) => void;
  /** `streaming` (default): the ingest service; `lambda`: API Gateway + Lambda's emulation. */
  readonly frontDoor?: FrontDoor;
  /** Called before either door accepts a convert, after the disk budget; throwing refuses it. */
  readonly admit?: () => Promise<void>;
  /** Most bytes the data folder may use (`--disk-budget`); CUTOUT_DISK_BUDGET in `env` when absent. */
  readonly diskBudgetBytes?: number;
  /** How often expired jobs are swept (storage-upkeep.ts SWEEP_INTERVAL_MS); 0 never. */
  readonly sweepIntervalMs?: number;
}

export interface LocalStack {
  readonly url: string;
  readonly port: number;
  /** The door the API is served through. */
  readonly frontDoor: FrontDoor;
  readonly apiKey: string;
  readonly dataDir: string;
  readonly emulators: Emulators;
  readonly clients: AwsClients;
  /** This stack's own Lambda handlers (tests call them as the event sources would). */
  readonly handlers: LambdaHandlers;
  readonly runtime: WorkerRuntime;
  /** Running workers, in start order (killed ones stay listed). */
  readonly workers: readonly WorkerHandle[];
  /** Starts one more worker on the shared runtime. */
  addWorker(): WorkerHandle;
  /** One reconciler run now, through its Lambda handler (the timer runs the same). */
  reconcile(): Promise<ReconcileRun>;
  /** One TTL sweep now (the timer runs the same); `now` in epoch ms may be ahead of the clock. */
  sweep(now?: number): Promise<SweepReport>;
  /** The data folder's disk budget, which admits new jobs. */
  readonly diskBudget: DiskBudget;
  stop(): Promise<void>;
}

function workerQueues(options: LocalStackOptions, emulators: Emulators): QueueSettings[] {
  const image =
    options.queues?.image?.visibilityTimeoutSeconds ??
    QUEUE_SETTINGS.image.visibilityTimeoutSeconds;
  const video =
    options.queues?.video?.visibilityTimeoutSeconds ??
    QUEUE_SETTINGS.video.visibilityTimeoutSeconds;
  return [
    {
      kind: 'image',
      url: emulators.resources.imageQueueUrl,
      concurrency: 1,
      visibilityTimeoutSeconds: image,
      heartbeatSeconds: heartbeatSecondsFor(image),
    },
    ...(options.video
      ? [
          {
            kind: 'video' as const,
            url: emulators.resources.videoQueueUrl,
            concurrency: 1,
            visibilityTimeoutSeconds: video,
            heartbeatSeconds: heartbeatSecondsFor(video),
          },
        ]
      : []),
  ];
}

/**
 * fauxqs names queues `http://sqs.<region>.<host>:<port>/...`; with host 127.0.0.1 that is not a
 * valid URL, and the handlers' schemas (rightly) want one. The SQS clients send to the emulator
 * endpoint whatever the queue URL's host, so a `localhost` host is equivalent.
 */
function parseableUrls(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      /^https?:\/\//.test(value) && !URL.canParse(value)
        ? value.replace(/^(https?:\/\/sqs\.[^/]*?)\.\d+\.\d+\.\d+\.\d+(:\d+)/, '$1.localhost$2')
        : value,
    ]),
  );
}

function queueArn(region: string, name: string): string {
  return `arn:aws:sqs:${region}:000000000000:${name}`;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? silentLog;
  // A bad CUTOUT_DISK_BUDGET or JOB_TTL_DAYS stops the stack before anything has started.
  storageSettings({ env: options.env, budgetBytes: options.diskBudgetBytes });
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir
    ? resolve(options.dataDir)
    : await mkdtemp(join(tmpdir(), 'cutout-local-'));
  await mkdir(dataDir, { recursive: true });

  const emulators = await startEmulators({
    // Objects and tables on disk, never in the heap (a long-running server's memory stays flat);
    // a temporary stack keeps only its queues in memory, as nothing of it survives a stop.
    dataDir,
    queuesInMemory: temporary,
    // A receive of a webhook event is an attempt: the queue gives up when the handler does.
    queues: {
      ...options.queues,
      webhook: { maxReceiveCount: webhookAttempts(options), ...options.queues?.webhook },
    },
    onUploadError: (error) => log.error('upload-event.failed', { error: String(error) }),
  });
  const emulatorEnv = emulators.env();
  // Explicit credentials: the SDK would otherwise look for them in the process's environment.
  const clients = createAwsClients({
    region: emulators.region,
    endpoints: emulators.endpoints,
    credentials: {
      accessKeyId: emulatorEnv.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: emulatorEnv.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  // What each Lambda's environment would hold: the user's settings, this stack's resources.
  const settings = {
    ...LOCAL_OUTBOUND_DEFAULTS,
    ...options.env,
    ...parseableUrls(emulatorEnv),
    ...reconcilerEnv(options),
    ...webhookEnv(options),
  };
  let handlers: LambdaHandlers;
  try {
    handlers = createLambdaHandlers(settings, {
      clients,
      log,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  } catch (error) {
    // A bad setting (named by the schema) stops the stack before anything else has started.
    await emulators.stop();
    throw error;
  }
  emulators.setObjectCreatedListener((event) =>
    handlers.onUpload(event, lambdaContext('cutout-on-upload', 60_000)),
  );
  const apiKey = await ensureDevKey(
    new DynamoKeyStore(clients.dynamo, emulators.resources.keysTable),
    dataDir,
    options.apiKey,
  );

  const runtime = await startLocalRuntime(options, clients, emulators, dataDir, log);

  const { workers, addWorker } = localWorkers(options, clients, emulators, runtime, log);

  const deadLetters = relayDeadLetters(options, clients, emulators, handlers, log);
  const webhooks = relayWebhooks(options, clients, emulators, handlers, log);

  const upkeep = startStorageUpkeep({
    dataDir,
    clients,
    emulators,
    env: options.env,
    ...(options.diskBudgetBytes === undefined ? {} : { budgetBytes: options.diskBudgetBytes }),
    ...(options.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: options.sweepIntervalMs }),
    log,
  });
  const admit = async () => {
    await upkeep.budget.admit();
    await options.admit?.();
  };

  let server: RunningFrontDoor;
  try {
    server = await startFrontDoor({
      door: options.frontDoor ?? 'streaming',
      port: options.port,
      host: options.host,
      settings,
      handlers,
      clients,
      log,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      web: await loadWebAssets(),
      devKey: apiKey,
      admit,
      ...(options.requestLog ? { requestLog: options.requestLog } : {}),
    });
  } catch (error) {
    await upkeep.stop();
    deadLetters.stop();
    webhooks.stop();
    await Promise.all(workers.map((w) => w.stop()));
    await runtime.close();
    await emulators.stop();
    throw error;
  }

  const reconciler = startReconcilerTimer(
    () => handlers.reconciler(undefined, lambdaContext('cutout-reconciler', 120_000)),
    options.reconciler?.intervalMs ?? RECONCILER_DEFAULTS.intervalMinutes * 60_000,
    (error) => log.warn('reconciler.failed', { error: String(error) }),
  );

  const state = {
    pid: process.pid,
    url: server.url,
    dataDir,
    region: emulators.region,
    endpoints: emulators.endpoints,
    keysTable: emulators.resources.keysTable,
    jobsTable: emulators.resources.jobsTable,
  };
  await writeStackState(state, options.env, options.publish ?? false);

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    frontDoor: server.door,
    apiKey,
    dataDir,
    emulators,
    clients,
    handlers,
    runtime,
    workers,
    addWorker,
    reconcile: reconciler.run,
    sweep: upkeep.sweep,
    diskBudget: upkeep.budget,
    stop() {
      stopping ??= (async () => {
        await reconciler.stop();
        await upkeep.stop();
        await server.close();
        deadLetters.stop();
        webhooks.stop();
        await Promise.all(workers.map((w) => w.stop()));
        await emulators.uploadsSettled();
        await runtime.close();
        await clearStackState(state, options.env, options.publish ?? false);
        await emulators.stop();
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** The one worker runtime the stack's workers share (one model session per model). */
async function startLocalRuntime(
  options: LocalStackOptions,
  clients: AwsClients,
  emulators: Emulators,
  dataDir: string,
  log: Log,
): Promise<WorkerRuntime> {
  const leaseMs =
    options.worker?.leaseMs ??
    Math.floor(
      ((options.queues?.image?.visibilityTimeoutSeconds ??
        QUEUE_SETTINGS.image.visibilityTimeoutSeconds) *
        1000) /
        2,
    );
  return createWorkerRuntime({
    clients,
    jobsTable: emulators.resources.jobsTable,
    inputBucket: emulators.resources.inputBucket,
    outputBucket: emulators.resources.outputBucket,
    models: options.models,
    ...(options.warmupModel ? { warmupModel: options.warmupModel } : {}),
    video: options.video,
    leaseMs,
    ...(options.worker?.progressIntervalMs === undefined
      ? {}
      : { progressIntervalMs: options.worker.progressIntervalMs }),
    ...(options.worker?.imageDeadlineMs === undefined
      ? {}
      : { imageDeadlineMs: options.worker.imageDeadlineMs }),
    ...(options.worker?.videoDeadlineMs === undefined
      ? {}
      : { videoDeadlineMs: options.worker.videoDeadlineMs }),
    ...(options.worker?.processors ? { processors: options.worker.processors } : {}),
    scratchDir: join(dataDir, 'scratch'),
    webhookQueueUrl: emulators.resources.webhookQueueUrl,
    // image_url fetches under the same local exceptions as webhooks (http, loopback).
    outbound: outboundPolicyFromEnv(
      { ...LOCAL_OUTBOUND_DEFAULTS, ...options.env },
      { allowHttp: true },
    ),
    log,
    env: options.env,
  });
}

/** Workers on the stack's queues, and a way to start one more (tests add and kill workers). */
function localWorkers(
  options: LocalStackOptions,
  clients: AwsClients,
  emulators: Emulators,
  runtime: WorkerRuntime,
  log: Log,
): { workers: WorkerHandle[]; addWorker: () => WorkerHandle } {
  const queues = workerQueues(options, emulators);
  const workers: WorkerHandle[] = [];
  const addWorker = () => {
    const worker = startWorker({
      sqs: clients.sqs,
      queues,
      process: runtime.process,
      waitTimeSeconds: options.worker?.waitTimeSeconds ?? 20,
      retryDelaySeconds: options.worker?.retryDelaySeconds ?? 5,
      drainMs: options.worker?.drainMs ?? 30_000,
      log,
    });
    workers.push(worker);
    return worker;
  };
  for (let i = 0; i < options.workers; i++) addWorker();

  return { workers, addWorker };
}

/** The dead-letter queues' event source: what Lambda's SQS trigger does on AWS. */
function relayDeadLetters(
  options: LocalStackOptions,
  clients: AwsClients,
  emulators: Emulators,
  handlers: LambdaHandlers,
  log: Log,
): SqsEventRelay {
  return startSqsEventRelay({
    sqs: clients.sqs,
    region: emulators.region,
    queues: [
      {
        url: emulators.resources.imageDeadLetterQueueUrl,
        arn: queueArn(emulators.region, RESOURCES.imageDeadLetterQueue),
      },
      {
        url: emulators.resources.videoDeadLetterQueueUrl,
        arn: queueArn(emulators.region, RESOURCES.videoDeadLetterQueue),
      },
    ],
    handler: handlers.onDeadLetter,
    functionName: 'cutout-on-dead-letter',
    timeoutMs: 60_000,
    batchSize: 10,
    waitTimeSeconds: options.worker?.waitTimeSeconds ?? 20,
    onError: (error) => log.warn('dead-letter.error', { error: error.message }),
  });
}

/**
 * The outbound guard's local exceptions: webhooks to (and image_url from) a receiver on this
 * machine over plain http. Deployed, both are off; a user's own setting wins here too.
 */
export const LOCAL_OUTBOUND_DEFAULTS: Readonly<Record<string, string>> = {
  CUTOUT_OUTBOUND_ALLOW_HTTP: 'true',
  CUTOUT_OUTBOUND_ALLOW_CIDRS: '127.0.0.1/32,::1/128',
};

function webhookAttempts(options: LocalStackOptions): number {
  const fromEnv = Number(options.env[WEBHOOK_ENV.maxAttempts]);
  return (
    options.webhooks?.maxAttempts ??
    (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : QUEUE_SETTINGS.webhook.maxReceiveCount)
  );
}

function webhookEnv(options: LocalStackOptions): Record<string, string> {
  const settings = options.webhooks ?? {};
  const env: Record<string, string> = {};
  if (settings.maxAttempts !== undefined)
    env[WEBHOOK_ENV.maxAttempts] = String(settings.maxAttempts);
  if (settings.retryBaseSeconds !== undefined) {
    env[WEBHOOK_ENV.retryBaseSeconds] = String(settings.retryBaseSeconds);
  }
  if (settings.timeoutSeconds !== undefined) {
    env[WEBHOOK_ENV.timeoutSeconds] = String(settings.timeoutSeconds);
  }
  const stale = options.reconciler?.webhookStaleSeconds;
  if (stale !== undefined) env[WEBHOOK_ENV.staleSeconds] = String(stale);
  const grace = options.reconciler?.webhookGraceSeconds;
  if (grace !== undefined) env[WEBHOOK_ENV.graceSeconds] = String(grace);
  return env;
}

/** The webhooks queue's event source: what Lambda's SQS trigger does on AWS. */
function relayWebhooks(
  options: LocalStackOptions,
  clients: AwsClients,
  emulators: Emulators,
  handlers: LambdaHandlers,
  log: Log,
): SqsEventRelay {
  return startSqsEventRelay({
    sqs: clients.sqs,
    region: emulators.region,
    queues: [
      {
        url: emulators.resources.webhookQueueUrl,
        arn: queueArn(emulators.region, RESOURCES.webhookQueue),
      },
    ],
    handler: handlers.deliverWebhook,
    functionName: 'cutout-deliver-webhook',
    timeoutMs: 30_000,
    // One message per poller: a receiver that never answers holds one poller, not a batch.
    batchSize: 1,
    pollersPerQueue: options.webhooks?.pollers ?? 4,
    waitTimeSeconds: options.worker?.waitTimeSeconds ?? 20,
    onError: (error) => log.warn('webhook-relay.error', { error: error.message }),
  });
}

function reconcilerEnv(options: LocalStackOptions): Record<string, string> {
  const settings = options.reconciler ?? {};
  const env: Record<string, string> = {};
  if (settings.queuedAfterSeconds !== undefined) {
    env[RECONCILER_ENV.queuedAfterSeconds] = String(settings.queuedAfterSeconds);
  }
  if (settings.uploadGraceSeconds !== undefined) {
    env[RECONCILER_ENV.uploadGraceSeconds] = String(settings.uploadGraceSeconds);
  }
  if (settings.abandonUploadAfterSeconds !== undefined) {
    env[RECONCILER_ENV.abandonUploadAfterSeconds] = String(settings.abandonUploadAfterSeconds);
  }
  return env;
}

/** Runs `reconcile` every `intervalMs` (never two at once); stop() waits for a run in progress. */
function startReconcilerTimer(
  reconcile: () => Promise<ReconcileRun>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { run(): Promise<ReconcileRun>; stop(): Promise<void> } {
  // Runs queue behind each other: a test's run always starts after the timer's has ended.
  let last: Promise<unknown> = Promise.resolve();
  let busy = 0;
  const run = () => {
    busy += 1;
    const next = last
      .catch(() => undefined)
      .then(reconcile)
      .finally(() => {
        busy -= 1;
      });
    last = next;
    return next;
  };
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (busy === 0) run().catch(onError);
        }, intervalMs).unref()
      : undefined;
  return {
    run,
    stop: async () => {
      clearInterval(timer);
      await last.catch(() => undefined);
    },
  };
}
