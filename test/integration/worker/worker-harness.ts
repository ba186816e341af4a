import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { type AwsClients, createAwsClients } from '../../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../../adapters/aws/s3-object-store.ts';
import { SqsJobQueue } from '../../../adapters/aws/sqs-job-queue.ts';
import {
  MODEL_ENV,
  type ModelSettings,
  modelSettingsFromEnv,
} from '../../../adapters/models/model-env.ts';
import { silentLog } from '../../../adapters/observability/log.ts';
import { WORKER_ENV } from '../../../containers/worker/env.ts';
import {
  startWorker,
  type WorkerConfig,
  type WorkerHandle,
} from '../../../containers/worker/start-worker.ts';
import {
  createWorkerRuntime,
  type WorkerRuntime,
  type WorkerRuntimeOptions,
} from '../../../containers/worker/worker-runtime.ts';
import { createJob, type InlineFile } from '../../../core/jobs/create-job.ts';
import type { FileRecord } from '../../../core/jobs/job.ts';
import type { JobRepository, Processors } from '../../../core/jobs/ports.ts';
import type { ProcessFileDeps } from '../../../core/jobs/process-file.ts';
import { type Emulators, startEmulators } from '../../../local/emulators.ts';
import { TEST_MODEL_DIR, tinyModelPath } from '../../support/tiny-model.ts';

/**
 * Emulators plus the real adapters, for driving workers directly: jobs are created with the
 * real createJob use case, workers run the real processFile, state is read back from DynamoDB.
 */

interface QueueSettings {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export interface WorkerHarness {
  readonly emulators: Emulators;
  /** The image queue's settings, which the workers started on it mirror. */
  readonly queue: QueueSettings;
  readonly clients: AwsClients;
  readonly repo: DynamoJobRepository;
  readonly models: ModelSettings;
  createImageJob(files: readonly InlineFile[], fields?: Record<string, string>): Promise<string>;
  files(jobId: string): Promise<FileRecord[]>;
  outputKeys(jobId: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The tiny generated model serves every API model name. */
export async function tinyModelSettings(): Promise<ModelSettings> {
  await tinyModelPath();
  return modelSettingsFromEnv({
    CUTOUT_MODEL_DIR: TEST_MODEL_DIR,
    CUTOUT_MODEL_ALIASES: 'u2net=tiny,u2netp=tiny,u2net_human_seg=tiny',
    CUTOUT_MODEL_DOWNLOAD: 'false',
  });
}

export async function startWorkerHarness(queue: QueueSettings): Promise<WorkerHarness> {
  const emulators = await startEmulators({ queues: { image: queue } });
  // The SDK's default credential chain reads them; the emulators accept anything.
  Object.assign(process.env, emulators.env());
  const clients = createAwsClients({ region: emulators.region, endpoints: emulators.endpoints });
  const repo = new DynamoJobRepository(clients.dynamo, emulators.resources.jobsTable);
  const inputs = new S3ObjectStore(clients.s3, clients.s3Presign, emulators.resources.inputBucket);
  const jobQueue = new SqsJobQueue(clients.sqs, {
    image: emulators.resources.imageQueueUrl,
    video: emulators.resources.videoQueueUrl,
  });
  const models = await tinyModelSettings();
  return {
    emulators,
    queue,
    clients,
    repo,
    models,
    async createImageJob(files, fields = {}) {
      const result = await createJob(
        {
          apiKeyId: 'key_test',
          fields: { convert_to: 'image-backgroundremover', ...fields },
          files,
        },
        { repo, inputs, queue: jobQueue },
      );
      return result.uuid;
    },
    async files(jobId) {
      const found = await repo.getJob(jobId);
      if (!found) throw new Error(`job ${jobId} not found`);
      return found.files;
    },
    async outputKeys(jobId) {
      const out = await clients.s3.send(
        new ListObjectsV2Command({
          Bucket: emulators.resources.outputBucket,
          Prefix: `jobs/${jobId}/`,
        }),
      );
      return (out.Contents ?? []).map((o) => o.Key ?? '');
    },
    async stop() {
      await emulators.stop();
    },
  };
}

/** The worker runtime (real adapters, real processors unless given) on the harness's emulators. */
export function harnessRuntime(
  harness: WorkerHarness,
  options: Partial<Omit<WorkerRuntimeOptions, 'clients' | 'models'>> & { leaseMs: number },
): Promise<WorkerRuntime> {
  const { resources } = harness.emulators;
  return createWorkerRuntime({
    clients: harness.clients,
    jobsTable: resources.jobsTable,
    inputBucket: resources.inputBucket,
    outputBucket: resources.outputBucket,
    models: harness.models,
    video: false,
    log: silentLog,
    env: process.env,
    ...options,
  });
}

/** processFile's dependencies on the harness: its DynamoDB repository and S3 buckets. */
export function harnessProcessFileDeps(
  harness: WorkerHarness,
  options: { processors: Processors } & Partial<ProcessFileDeps>,
): ProcessFileDeps {
  const { clients } = harness;
  const { resources } = harness.emulators;
  return {
    repo: harness.repo,
    inputs: new S3ObjectStore(clients.s3, clients.s3Presign, resources.inputBucket),
    outputs: new S3ObjectStore(clients.s3, clients.s3Presign, resources.outputBucket),
    ...options,
  };
}

/**
 * A consumer loop on the harness's image queue (one file at a time, 1 s long polls), with the
 * queue's visibility timeout; the rest of its configuration as given.
 */
export function startImageWorker(
  harness: WorkerHarness,
  options: Omit<WorkerConfig, 'sqs' | 'queues'> & { heartbeatSeconds: number },
): WorkerHandle {
  const { heartbeatSeconds, ...config } = options;
  return startWorker({
    sqs: harness.clients.sqs,
    queues: [
      {
        kind: 'image',
        url: harness.emulators.resources.imageQueueUrl,
        concurrency: 1,
        visibilityTimeoutSeconds: harness.queue.visibilityTimeoutSeconds,
        heartbeatSeconds,
      },
    ],
    waitTimeSeconds: 1,
    ...config,
  });
}

/**
 * The repository as a process that can die sees it: once `alive()` turns false its file
 * updates fail (its lease renewals stop), everything else reads through.
 */
export function repoUntilDeath(repo: JobRepository, alive: () => boolean): JobRepository {
  const updateFile: JobRepository['updateFile'] = (update) =>
    alive() ? repo.updateFile(update) : Promise.reject(new Error('the process is gone'));
  return new Proxy<JobRepository>(repo, {
    get: (target, name) => {
      if (name === 'updateFile') return updateFile;
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Messages in a queue, visible or in flight. */
export function queueDepth(harness: WorkerHarness, queueName: string): number {
  const q = harness.emulators.fauxqs.inspectQueue(queueName);
  return (q?.messages.ready.length ?? 0) + (q?.messages.inflight.length ?? 0);
}

/**
 * The environment of the container entry (containers/worker/main.ts) as a child process: the
 * emulators, the image queue, 1 s long polls and the tiny model under every API name.
 */
export function workerMainEnv(
  harness: WorkerHarness,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    ...harness.emulators.env(),
    [WORKER_ENV.queues]: 'image',
    [WORKER_ENV.waitTimeSeconds]: '1',
    [MODEL_ENV.dir]: TEST_MODEL_DIR,
    [MODEL_ENV.aliases]: 'u2net=tiny,u2netp=tiny,u2net_human_seg=tiny',
    [MODEL_ENV.download]: 'false',
    ...extra,
  };
}

/** A small photo-like PNG: a bright disc on a dark, noisy background. */
export async function samplePng(
  width = 64,
  height = 48,
  seed = 1,
): Promise<Uint8Array<ArrayBuffer>> {
  const data = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1_103_515_245 + 12_345) & 0x7fffffff;
      const inside =
        (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 3) ** 2;
      const i = (y * width + x) * 3;
      const noise = s % 16;
      data[i] = inside ? 230 : 20 + noise;
      data[i + 1] = inside ? 200 : 30 + noise;
      data[i + 2] = inside ? 60 : 40 + noise;
    }
  }
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

export function inlinePng(name: string, data: Uint8Array): InlineFile {
  return { field: 'files', filename: name, contentType: 'image/png', data };
}

export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  limitMs = 30_000,
): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
