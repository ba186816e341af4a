import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';
import dynalite from 'dynalite';
import { type FauxqsServer, type SpyMessage, startFauxqs } from 'fauxqs';
import { TABLES, type TableDefinition } from '../adapters/aws/table-keys.ts';
import { ENV, QUEUE_SETTINGS, RESOURCES } from '../core/config/resources.ts';
import { closeDynaliteIterators } from './dynalite-iterators.ts';
import { moveLegacyObjects } from './legacy-objects.ts';

/**
 * S3 + SQS (fauxqs) and DynamoDB (dynalite) in this process on 127.0.0.1, port 0, with the
 * buckets, queues (each with its dead-letter queue and redrive) and tables the CDK app
 * creates. Serves the local stack and the integration tests.
 *
 * fauxqs 2.4.1 accepts bucket notification settings but never delivers them, so an upload
 * shim watches its S3 spy and hands S3-shaped ObjectCreated events for the inputs bucket to
 * a listener (the on-upload handler), as S3 invokes that Lambda on AWS: after the upload has
 * been answered, asynchronously. The shim uses an internal fauxqs method: drop it once a
 * fauxqs with native notifications (>= 2.6) installs.
 */

export type ObjectCreatedListener = (event: S3Event) => Promise<unknown> | unknown;

export interface QueueSetting {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export interface EmulatorOptions {
  /**
   * Keeps the state on disk under this folder rather than in memory: S3 objects as files
   * (`objects/`, bodies read per request), DynamoDB tables in LevelDB (`dynamodb/`) and, unless
   * `queuesInMemory`, the queues in SQLite (`fauxqs/`). Without it everything lives in memory
   * (tests).
   */
  readonly dataDir?: string;
  /**
   * With `dataDir`: queues stay in memory (a temporary stack, which nothing needs to survive:
   * a message is deleted once handled, so they hold only the work in progress).
   */
  readonly queuesInMemory?: boolean;
  readonly region?: string;
  /** Overrides of QUEUE_SETTINGS, e.g. short visibility timeouts in tests. */
  readonly queues?: {
    readonly image?: Partial<QueueSetting>;
    readonly video?: Partial<QueueSetting>;
    readonly webhook?: Partial<QueueSetting>;
  };
  /** Receives upload events of the inputs bucket; can also be set later. */
  readonly onObjectCreated?: ObjectCreatedListener;
  /**
   * How long after an upload has been answered its event is delivered (ms, or a function drawn
   * per event). S3's notifications take from tens to hundreds of milliseconds; the default draws
   * from 0-250 ms so that both orders of an event and the uploader's next step happen.
   */
  readonly uploadEventDelayMs?: number | (() => number);
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
  readonly webhookQueueUrl: string;
  readonly webhookDeadLetterQueueUrl: string;
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

/** fauxqs's file store of S3 objects, under the data folder. */
export const OBJECTS_DIR = 'objects';

const CREDENTIALS = { accessKeyId: 'cutout-local', secretAccessKey: 'cutout-local' };

async function createTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  const indexes = table.indexes ?? [];
  const attributes = new Map(
    [...keys, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])].map((k) => [k.name, k.type]),
  );
  const keySchema = (list: readonly { name: string }[]) =>
    list.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' }) as const);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map(([name, type]) => ({
          AttributeName: name,
          AttributeType: type,
        })),
        KeySchema: keySchema(keys),
        ...(indexes.length > 0 && {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema([index.partitionKey, index.sortKey]),
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
          })),
        }),
      }),
    );
  } catch (error) {
    // A persisted data dir already has its tables. One made by an older version may lack an
    // index, which dynalite cannot add in place: that table is rebuilt with its items.
    if (!(error instanceof ResourceInUseException)) throw error;
    const existing = await client.send(new DescribeTableCommand({ TableName: table.name }));
    const present = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    if (indexes.every((i) => present.has(i.name))) return;
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: table.name, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    await client.send(new DeleteTableCommand({ TableName: table.name }));
    // dynalite deletes and creates on a timer: wait for each to finish before the next step.
    await waitForTable(client, table.name, (status) => status === undefined);
    await createTable(client, table);
    await waitForTable(client, table.name, (status) => status === 'ACTIVE');
    for (const item of items) {
      await client.send(new PutItemCommand({ TableName: table.name, Item: item }));
    }
  }
}

/** Polls until `done` holds for the table's status (undefined: the table does not exist). */
export async function waitForTable(
  client: DynamoDBClient,
  name: string,
  done: (status: string | undefined) => boolean,
): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const status = await client
      .send(new DescribeTableCommand({ TableName: name }))
      .then((out) => out.Table?.TableStatus)
      .catch((error: unknown) => {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      });
    if (done(status)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`dynalite: table ${name} did not settle`);
}

/**
 * A queue with these attributes. One persisted in the data folder is kept with its messages and
 * given the attributes in place: fauxqs's createQueue would replace it with an empty queue, and
 * every message waiting or in flight at the last stop (a crashed worker's file) would be lost.
 */
async function ensureQueue(
  server: FauxqsServer,
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ queueUrl: string; queueArn: string }> {
  const existing = server.inspectQueue(name);
  if (!existing) return server.createQueue(name, { attributes });
  // Its URL was minted with the last run's port.
  const queueUrl = existing.url.replace(/:\d+\//, `:${server.port}/`);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes }));
  return { queueUrl, queueArn: existing.arn };
}

async function createQueues(
  server: FauxqsServer,
  sqs: SQSClient,
  name: string,
  deadLetterName: string,
  setting: QueueSetting,
): Promise<{ url: string; deadLetterUrl: string }> {
  const dlq = await ensureQueue(server, sqs, deadLetterName, {
    MessageRetentionPeriod: String(14 * 86_400),
  });
  const queue = await ensureQueue(server, sqs, name, {
    VisibilityTimeout: String(setting.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.queueArn,
      maxReceiveCount: setting.maxReceiveCount,
    }),
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
async function onLoopback<T>(
  start: () => Promise<T>,
  onServer: (server: Server) => void,
): Promise<T> {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function loopbackListen(this: Server, ...args: unknown[]) {
    const [first] = args;
    if (
      typeof first === 'object' &&
      first !== null &&
      (first as { host?: unknown }).host === '0.0.0.0'
    ) {
      args[0] = { ...first, host: '127.0.0.1' };
      onServer(this);
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
  const dataDir = options.dataDir;
  if (dataDir) await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  closeDynaliteIterators();
  let fauxqsServer: Server | undefined;
  const fauxqs = await onLoopback(
    () =>
      startFauxqs({
        port: 0,
        logger: false,
        defaultRegion: region,
        // The upload shim below hooks the spy's recording; the buffer itself is never read.
        messageSpies: { bufferSize: 1 },
        ...(dataDir && !options.queuesInMemory ? { dataDir: join(dataDir, 'fauxqs') } : {}),
        // Objects as files: fauxqs otherwise holds every body in memory (or as SQLite blobs).
        ...(dataDir ? { s3StorageDir: join(dataDir, OBJECTS_DIR) } : {}),
      }),
    (server) => {
      fauxqsServer = server;
    },
  );
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir ? { path: join(dataDir, 'dynamodb') } : {}),
  });
  const dynamoPort = await listen(dynamo);
  const s3Endpoint = `http://127.0.0.1:${fauxqs.port}`;
  const endpoints = { s3: s3Endpoint, sqs: s3Endpoint, dynamodb: `http://127.0.0.1:${dynamoPort}` };

  const dynamoClient = new DynamoDBClient({
    region,
    endpoint: endpoints.dynamodb,
    credentials: CREDENTIALS,
  });
  for (const table of TABLES) {
    await createTable(dynamoClient, table);
    // dynalite answers CreateTable before the table is ACTIVE (it flips the status on a timer,
    // later still when persisting to disk), and refuses item calls until then.
    await waitForTable(dynamoClient, table.name, (status) => status === 'ACTIVE');
  }
  dynamoClient.destroy();

  fauxqs.createBucket(RESOURCES.inputBucket);
  fauxqs.createBucket(RESOURCES.outputBucket);
  const sqs = new SQSClient({ region, endpoint: endpoints.sqs, credentials: CREDENTIALS });
  const image = await createQueues(
    fauxqs,
    sqs,
    RESOURCES.imageQueue,
    RESOURCES.imageDeadLetterQueue,
    {
      ...QUEUE_SETTINGS.image,
      ...options.queues?.image,
    },
  );
  const video = await createQueues(
    fauxqs,
    sqs,
    RESOURCES.videoQueue,
    RESOURCES.videoDeadLetterQueue,
    {
      ...QUEUE_SETTINGS.video,
      ...options.queues?.video,
    },
  );
  const webhook = await createQueues(
    fauxqs,
    sqs,
    RESOURCES.webhookQueue,
    RESOURCES.webhookDeadLetterQueue,
    { ...QUEUE_SETTINGS.webhook, ...options.queues?.webhook },
  );
  sqs.destroy();
  const resources: EmulatorResources = {
    jobsTable: RESOURCES.jobsTable,
    keysTable: RESOURCES.keysTable,
    inputBucket: RESOURCES.inputBucket,
    outputBucket: RESOURCES.outputBucket,
    imageQueueUrl: image.url,
    videoQueueUrl: video.url,
    imageDeadLetterQueueUrl: image.deadLetterUrl,
    videoDeadLetterQueueUrl: video.deadLetterUrl,
    webhookQueueUrl: webhook.url,
    webhookDeadLetterQueueUrl: webhook.deadLetterUrl,
  };

  const s3 = new S3Client({
    region,
    endpoint: endpoints.s3,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  // Before the upload shim is hooked: moved inputs are not new uploads.
  if (dataDir && !options.queuesInMemory) {
    await moveLegacyObjects(join(dataDir, 'fauxqs', 'fauxqs.db'), s3);
  }
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

  // On AWS the event is sent after the upload has completed (the client has its answer) and
  // reaches the function asynchronously, so it races whatever the uploader does next (the
  // convert handler writing its items, a client's second POST). fauxqs records the upload while
  // the request is still being answered; the event waits until the writes to the inputs bucket
  // open at that moment (the upload's own among them) have been answered, then a little more.
  const openWrites = new Set<Promise<void>>();
  const isInputWrite = (method: string | undefined, url: string | undefined, host: string) =>
    (method === 'PUT' || method === 'POST') &&
    ((url ?? '').split('?')[0]?.split('/')[1] === resources.inputBucket ||
      host.startsWith(`${resources.inputBucket}.`));
  fauxqsServer?.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!isInputWrite(req.method, req.url, req.headers.host ?? '')) return;
    const answered = once(res, 'close').then(() => undefined);
    openWrites.add(answered);
    void answered.finally(() => openWrites.delete(answered));
  });
  const delay = options.uploadEventDelayMs ?? (() => Math.random() * 250);
  const afterUpload = async (): Promise<void> => {
    await Promise.all([...openWrites]);
    const ms = typeof delay === 'number' ? delay : delay();
    await new Promise((resolve) => setTimeout(resolve, ms));
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
      const { bucket, key } = message;
      const delivery = afterUpload()
        .then(() => deliver(bucket, key))
        .finally(() => pending.delete(delivery));
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
      WEBHOOK_QUEUE_URL: resources.webhookQueueUrl,
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
