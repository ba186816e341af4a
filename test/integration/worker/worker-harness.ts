import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { type AwsClients, createAwsClients } from '../../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../../adapters/aws/s3-object-store.ts';
import { SqsJobQueue } from '../../../adapters/aws/sqs-job-queue.ts';
import { type ModelSettings, modelSettingsFromEnv } from '../../../adapters/models/model-env.ts';
import { createJob, type InlineFile } from '../../../core/jobs/create-job.ts';
import type { FileRecord } from '../../../core/jobs/job.ts';
import { type Emulators, startEmulators } from '../../../local/emulators.ts';
import { TEST_MODEL_DIR, tinyModelPath } from '../../support/tiny-model.ts';

/**
 * Emulators plus the real adapters, for driving workers directly: jobs are created with the
 * real createJob use case, workers run the real processFile, state is read back from DynamoDB.
 */

export interface WorkerHarness {
  readonly emulators: Emulators;
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

export async function startWorkerHarness(queue: {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}): Promise<WorkerHarness> {
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
