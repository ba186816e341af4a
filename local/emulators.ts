import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { type AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import dynalite from 'dynalite';
import { type FauxqsServer, type SpyMessage, startFauxqs } from 'fauxqs';
import { ENV, QUEUE_SETTINGS, RESOURCES } from '../core/config/resources.ts';
import { TABLES, type TableDefinition } from '../core/config/tables.ts';

/**
 * S3 + SQS (fauxqs) and DynamoDB (dynalite) in this process on 127.0.0.1, port 0, with the
 * buckets, queues (each with its dead-letter queue and redrive) and tables the CDK app
 * creates. Serves the local stack and the integration tests.
 *
 * fauxqs 2.4.1 accepts bucket notification settings but never delivers them, so an upload
 * shim watches its S3 spy and hands S3-shaped ObjectCreated events for the inputs bucket to
 * a listener (the on-upload handler), as S3 invokes that Lambda on AWS. The shim uses an
 * internal fauxqs method: drop it once a fauxqs with native notifications (>= 2.6) installs.
 */

export type ObjectCreatedListener = (event: S3Event) => Promise<unknown> | unknown;

export interface QueueSetting {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export interface EmulatorOptions {
  /** Keeps state between runs (fauxqs SQLite + dynalite LevelDB under this folder). */
  readonly dataDir?: string;
  readonly region?: string;
  /** Overrides of QUEUE_SETTINGS, e.g. short visibility timeouts in tests. */
  readonly queues?: {
    readonly image?: Partial<QueueSetting>;
    readonly video?: Partial<QueueSetting>;
  };
  /** Receives upload events of the inputs bucket; can also be set later. */
  readonly onObjectCreated?: ObjectCreatedListener;
  /** Called when the listener fails (default: write to stderr). */
  readonly onUploadError?: (error: unknown, event: S3Event) => void;
}

export interface EmulatorResources {
  readonly jobsTable: string;
  readonly keysTable: string;
  readonly inputBucket: string;
  readonly outputBucket: string;
  readonly imageQueueUrl: string;
  readonly videoQueueUrl: string;
  readonly imageDeadLetterQueueUrl: string;
  readonly videoDeadLetterQueueUrl: string;
}

export interface Emulators {
  readonly region: string;
  /** `http://127.0.0.1:<port>` per service. */
  readonly endpoints: { readonly s3: string; readonly sqs: string; readonly dynamodb: string };
  readonly resources: EmulatorResources;
  readonly fauxqs: FauxqsServer;
  /** Environment for handlers, workers and the CLI: names, queue URLs, endpoints, dummy credentials. */
  env(): Record<string, string>;
  /** Routes inputs-bucket upload events to `listener` (undefined: drop them). */
  setObjectCreatedListener(listener: ObjectCreatedListener | undefined): void;
  /** Resolves once every upload event seen so far has been handled. */
  uploadsSettled(): Promise<void>;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'cutout-local', secretAccessKey: 'cutout-local' };

async function createTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: keys.map((k, i) => ({
          AttributeName: k.name,
          KeyType: i === 0 ? 'HASH' : 'RANGE',
        })),
      }),
    );
  } catch (error) {
    // A persisted data dir already has its tables.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

function createQueues(
  server: FauxqsServer,
  name: string,
  deadLetterName: string,
  setting: QueueSetting,
): { url: string; deadLetterUrl: string } {
  const dlq = server.createQueue(deadLetterName, {
    attributes: { MessageRetentionPeriod: String(14 * 86_400) },
  });
  const queue = server.createQueue(name, {
    attributes: {
      VisibilityTimeout: String(setting.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.queueArn,
        maxReceiveCount: setting.maxReceiveCount,
      }),
    },
  });
  return { url: queue.queueUrl, deadLetterUrl: dlq.queueUrl };
}

/** S3 encodes keys in events as URL-encoding with `+` for spaces. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export function objectCreatedEvent(
  region: string,
  bucket: string,
  key: string,
  size: number,
  eTag: string | undefined,
  eventName = 'ObjectCreated:Put',
): S3Event {
  const time = new Date();
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: time.toISOString(),
        eventName,
        userIdentity: { principalId: 'cutout-local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'cutout-local-uploads',
          bucket: {
            name: bucket,
            ownerIdentity: { principalId: 'cutout-local' },
            arn: `arn:aws:s3:::${bucket}`,
          },
          object: {
            key: encodeEventKey(key),
            size,
            eTag: (eTag ?? '').replaceAll('"', ''),
            sequencer: time.getTime().toString(16).toUpperCase().padStart(16, '0'),
          },
        },
      },
    ],
  };
}

/**
 * fauxqs 2.4.1 always listens on 0.0.0.0, which would put uploaded images on the network.
 * While it starts, a listen on all interfaces is narrowed to 127.0.0.1. (Its `host` option
 * only names the queue URLs' host, and an IP there makes URLs WHATWG parsers refuse.)
 */
async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function loopbackListen(this: Server, ...args: unknown[]) {
    const [first] = args;
    if (
      typeof first === 'object' &&
      first !== null &&
      (first as { host?: unknown }).host === '0.0.0.0'
    ) {
      args[0] = { ...first, host: '127.0.0.1' };
    }
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof Server.prototype.listen;
  try {
    return await start();
  } finally {
    Server.prototype.listen = listen;
  }
}

async function listen(server: ReturnType<typeof dynalite>): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Starts the emulators and creates every resource. Stop them with `stop()`. */
export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const region = options.region ?? 'us-east-1';
  if (options.dataDir) await mkdir(join(options.dataDir, 'dynamodb'), { recursive: true });
  const fauxqs = await onLoopback(() =>
    startFauxqs({
      port: 0,
      logger: false,
      defaultRegion: region,
      messageSpies: { bufferSize: 1000 },
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'fauxqs') } : {}),
    }),
  );
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {}),
  });
  const dynamoPort = await listen(dynamo);
  const s3Endpoint = `http://127.0.0.1:${fauxqs.port}`;
  const endpoints = { s3: s3Endpoint, sqs: s3Endpoint, dynamodb: `http://127.0.0.1:${dynamoPort}` };

  const dynamoClient = new DynamoDBClient({
    region,
    endpoint: endpoints.dynamodb,
    credentials: CREDENTIALS,
  });
  for (const table of TABLES) await createTable(dynamoClient, table);
  dynamoClient.destroy();

  fauxqs.createBucket(RESOURCES.inputBucket);
  fauxqs.createBucket(RESOURCES.outputBucket);
  const image = createQueues(fauxqs, RESOURCES.imageQueue, RESOURCES.imageDeadLetterQueue, {
    ...QUEUE_SETTINGS.image,
    ...options.queues?.image,
  });
  const video = createQueues(fauxqs, RESOURCES.videoQueue, RESOURCES.videoDeadLetterQueue, {
    ...QUEUE_SETTINGS.video,
    ...options.queues?.video,
  });
  const resources: EmulatorResources = {
    jobsTable: RESOURCES.jobsTable,
    keysTable: RESOURCES.keysTable,
    inputBucket: RESOURCES.inputBucket,
    outputBucket: RESOURCES.outputBucket,
    imageQueueUrl: image.url,
    videoQueueUrl: video.url,
    imageDeadLetterQueueUrl: image.deadLetterUrl,
    videoDeadLetterQueueUrl: video.deadLetterUrl,
  };

  const s3 = new S3Client({
    region,
    endpoint: endpoints.s3,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  let listener = options.onObjectCreated;
  const pending = new Set<Promise<void>>();
  const recent: string[] = [];
  const reportError =
    options.onUploadError ??
    ((error: unknown) =>
      process.stderr.write(`cutout: upload event handler failed: ${String(error)}\n`));

  const deliver = async (bucket: string, key: string): Promise<void> => {
    const target = listener;
    if (!target) return;
    const head = await s3
      .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      .catch(() => undefined);
    if (!head) return;
    // fauxqs reports some uploads (presigned POST) twice; S3 would send one event per object version.
    const version = `${bucket}/${key}/${head.ETag ?? ''}/${head.LastModified?.getTime() ?? ''}`;
    if (recent.includes(version)) return;
    recent.push(version);
    if (recent.length > 1000) recent.shift();
    const event = objectCreatedEvent(region, bucket, key, head.ContentLength ?? 0, head.ETag);
    try {
      await target(event);
    } catch (error) {
      reportError(error, event);
    }
  };

  const spy = fauxqs.spy as unknown as { addMessage(message: SpyMessage): void };
  const addMessage = spy.addMessage.bind(spy);
  spy.addMessage = (message: SpyMessage) => {
    addMessage(message);
    if (
      message.service === 's3' &&
      message.status === 'uploaded' &&
      message.bucket === resources.inputBucket
    ) {
      const delivery = deliver(message.bucket, message.key).finally(() => pending.delete(delivery));
      pending.add(delivery);
    }
  };

  return {
    region,
    endpoints,
    resources,
    fauxqs,
    env: () => ({
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      [ENV.jobsTable]: resources.jobsTable,
      [ENV.keysTable]: resources.keysTable,
      [ENV.inputBucket]: resources.inputBucket,
      [ENV.outputBucket]: resources.outputBucket,
      [ENV.imageQueueUrl]: resources.imageQueueUrl,
      [ENV.videoQueueUrl]: resources.videoQueueUrl,
      IMAGE_DEAD_LETTER_QUEUE_URL: resources.imageDeadLetterQueueUrl,
      VIDEO_DEAD_LETTER_QUEUE_URL: resources.videoDeadLetterQueueUrl,
    }),
    setObjectCreatedListener: (next) => {
      listener = next;
    },
    uploadsSettled: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    stop: async () => {
      listener = undefined;
      await Promise.allSettled([...pending]);
      s3.destroy();
      await fauxqs.stop();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}
