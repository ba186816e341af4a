import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SpyMessage } from 'fauxqs';
import { DynamoJobRepository } from '../../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../../adapters/aws/s3-object-store.ts';
import { lambdaContext } from '../../../adapters/http/proxy-event.ts';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { createImageProcessor } from '../../../containers/worker/processors.ts';
import { RESOURCES } from '../../../core/config/resources.ts';
import { createJob } from '../../../core/jobs/create-job.ts';
import type { FileRecord } from '../../../core/jobs/job.ts';
import type { JobMessage } from '../../../core/jobs/job-message.ts';
import type { ImageProcessor, VideoProcessor } from '../../../core/jobs/ports.ts';
import { objectCreatedEvent } from '../../../local/emulators.ts';
import type { LocalStack, LocalStackOptions } from '../../../local/local-stack.ts';
import { startTestStack, waitFinished } from '../local/local-stack-harness.ts';
import { samplePng, tinyModelSettings } from '../worker/worker-harness.ts';

/**
 * Fault-injection scenarios on the local stack (real emulators, the real Lambda handlers, real
 * workers and queue consumers). Each runs its own stack, injects one kind of fault, and reports
 * the counts that show whether every file ended exactly once. The tests assert the counts;
 * `npm run bench:faults` writes them to docs/benchmarks.md.
 */

export interface FaultReport {
  readonly scenario: string;
  /** What was injected, in words with its counts. */
  readonly injected: string;
  readonly files: number;
  readonly done: number;
  readonly failed: number;
  /** Output objects written, over all files. */
  readonly outputs: number;
  /** Files whose processor ran to completion more than once. */
  readonly finishedTwice: number;
  /** Messages left in the queues and dead-letter queues at the end. */
  readonly messagesLeft: number;
  /** Scenario-specific counts. */
  readonly detail: Readonly<Record<string, number | string>>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  read: () => Promise<T> | T,
  ok: (value: T) => boolean,
  what: string,
  limitMs = 60_000,
): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(value)}`);
    await pause(50);
  }
}

function randomInt(below: number): number {
  return Math.floor(Math.random() * below);
}

/** Counts what the stack sends to each queue (fauxqs's spy, chained after the emulators' hook). */
function countSends(stack: LocalStack): {
  sent(queueName: string): number;
  deadLettered(): number;
} {
  const counts = new Map<string, number>();
  let dead = 0;
  const spy = stack.emulators.fauxqs.spy as unknown as { addMessage(message: SpyMessage): void };
  const next = spy.addMessage.bind(spy);
  spy.addMessage = (message: SpyMessage) => {
    next(message);
    if (message.service === 'sqs' && message.status === 'published') {
      counts.set(message.queueName, (counts.get(message.queueName) ?? 0) + 1);
    }
    if (message.service === 'sqs' && message.status === 'dlq') dead += 1;
  };
  return { sent: (queueName) => counts.get(queueName) ?? 0, deadLettered: () => dead };
}

function queueDepth(stack: LocalStack, name: string): number {
  const q = stack.emulators.fauxqs.inspectQueue(name);
  if (!q) throw new Error(`no queue ${name}`);
  return q.messages.ready.length + q.messages.inflight.length + q.messages.delayed.length;
}

function messagesLeft(stack: LocalStack): number {
  return [
    RESOURCES.imageQueue,
    RESOURCES.videoQueue,
    RESOURCES.imageDeadLetterQueue,
    RESOURCES.videoDeadLetterQueue,
  ].reduce((sum, name) => sum + queueDepth(stack, name), 0);
}

async function outputCount(stack: LocalStack, jobId: string): Promise<number> {
  const listed = await stack.clients.s3.send(
    new ListObjectsV2Command({
      Bucket: stack.emulators.resources.outputBucket,
      Prefix: `jobs/${jobId}/`,
    }),
  );
  return listed.KeyCount ?? 0;
}

function repoOf(stack: LocalStack): DynamoJobRepository {
  return new DynamoJobRepository(stack.clients.dynamo, stack.emulators.resources.jobsTable);
}

async function filesOf(stack: LocalStack, jobIds: readonly string[]): Promise<FileRecord[]> {
  const repo = repoOf(stack);
  const found = await Promise.all(jobIds.map((id) => repo.getJob(id)));
  return found.flatMap((f) => f?.files ?? []);
}

async function postInline(
  stack: LocalStack,
  convertTo: string,
  files: readonly { name: string; type: string; data: Uint8Array<ArrayBuffer> }[],
): Promise<string> {
  const form = new FormData();
  form.append('convert_to', convertTo);
  for (const f of files) form.append('files', new Blob([f.data], { type: f.type }), f.name);
  const res = await fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey },
    body: form,
  });
  if (res.status !== 200) throw new Error(`convert: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { uuid: string }).uuid;
}

interface UploadTarget {
  readonly url: string;
  readonly fields: Record<string, string>;
}

async function postUploadJob(
  stack: LocalStack,
  name: string,
  size: number,
): Promise<{ uuid: string; target: UploadTarget }> {
  const res = await fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      convert_to: 'image-backgroundremover',
      uploads: [{ filename: name, size, content_type: 'image/png' }],
    }),
  });
  if (res.status !== 200) throw new Error(`convert: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { uuid: string; uploads: UploadTarget[] };
  const target = body.uploads[0];
  if (!target) throw new Error('no upload target');
  return { uuid: body.uuid, target };
}

async function upload(target: UploadTarget, name: string, data: Uint8Array<ArrayBuffer>) {
  const form = new FormData();
  for (const [key, value] of Object.entries(target.fields)) form.append(key, value);
  form.append('file', new Blob([data], { type: 'image/png' }), name);
  const res = await fetch(target.url, { method: 'POST', body: form });
  if (res.status >= 300) throw new Error(`upload: HTTP ${res.status} ${await res.text()}`);
}

/** An image processor on the tiny model that counts completed runs per file. */
async function countedImageProcessor(): Promise<{
  image: ImageProcessor;
  runs: Map<string, number>;
  close(): Promise<void>;
}> {
  const segmenters = createSegmenterProvider(await tinyModelSettings());
  const real = createImageProcessor(segmenters);
  const runs = new Map<string, number>();
  return {
    image: async (input, options, ctx) => {
      const result = await real(input, options, ctx);
      runs.set(ctx.fileName, (runs.get(ctx.fileName) ?? 0) + 1);
      return result;
    },
    runs,
    close: () => segmenters.close(),
  };
}

async function report(
  stack: LocalStack,
  scenario: string,
  injected: string,
  jobIds: readonly string[],
  runs: ReadonlyMap<string, number>,
  detail: Record<string, number | string>,
): Promise<FaultReport> {
  const files = await filesOf(stack, jobIds);
  const outputs = await Promise.all(jobIds.map((id) => outputCount(stack, id)));
  return {
    scenario,
    injected,
    files: files.length,
    done: files.filter((f) => f.status === 'done').length,
    failed: files.filter((f) => f.status === 'failed').length,
    outputs: outputs.reduce((a, b) => a + b, 0),
    finishedTwice: [...runs.values()].filter((n) => n > 1).length,
    messagesLeft: messagesLeft(stack),
    detail,
  };
}

/** Worker settings for fault runs: short polls and retries, progress written often. */
function quickWorker(
  processors: NonNullable<LocalStackOptions['worker']>['processors'],
  overrides: Partial<NonNullable<LocalStackOptions['worker']>> = {},
): NonNullable<LocalStackOptions['worker']> {
  return {
    waitTimeSeconds: 1,
    retryDelaySeconds: 1,
    drainMs: 5_000,
    progressIntervalMs: 100,
    processors,
    ...overrides,
  };
}

/** Waits until every queue and dead-letter queue of the stack is empty. */
function untilDrained(stack: LocalStack, what = 'the queues to drain'): Promise<number> {
  return until(
    () => messagesLeft(stack),
    (n) => n === 0,
    what,
  );
}

/** Runs `run` with the counted tiny-model processor, and closes it after. */
async function withCountedProcessor<T>(
  run: (processor: Awaited<ReturnType<typeof countedImageProcessor>>) => Promise<T>,
): Promise<T> {
  const processor = await countedImageProcessor();
  try {
    return await run(processor);
  } finally {
    await processor.close();
  }
}

async function withStack<T>(
  overrides: Partial<LocalStackOptions>,
  run: (stack: LocalStack) => Promise<T>,
): Promise<T> {
  const stack = await startTestStack(overrides);
  try {
    return await run(stack);
  } finally {
    await stack.stop();
  }
}

/**
 * Every job message delivered three times and every upload event three times, in random
 * order: inline jobs (their objects' events race the convert handler writing the items) and
 * presigned uploads POSTed twice by the client; then two more copies of each message (random
 * delays) and two more of each upload event (random times).
 */
export async function everyMessageThreeTimes(): Promise<FaultReport> {
  return withCountedProcessor(async (processor) => {
    // Slow files outlive their 2 s lease many times over (the renewal timer keeps it) and are
    // still running when their copies arrive, three receives of which would dead-letter a copy.
    const image: ImageProcessor = async (input, options, ctx) => {
      if (ctx.fileName.includes('slow')) await pause(8_000);
      return processor.image(input, options, ctx);
    };
    return withStack(
      {
        workers: 3,
        queues: { image: { visibilityTimeoutSeconds: 4, maxReceiveCount: 3 } },
        worker: quickWorker({ image }),
      },
      async (stack) => {
        const sends = countSends(stack);
        const { region, resources } = stack.emulators;
        const png = await samplePng(40, 32);
        const inlineJobs = await Promise.all(
          Array.from({ length: 6 }, (_, j) =>
            postInline(stack, 'image-backgroundremover', [
              { name: `inline-${j}-a${j < 2 ? '-slow' : ''}.png`, type: 'image/png', data: png },
              { name: `inline-${j}-b.png`, type: 'image/png', data: png },
            ]),
          ),
        );
        const uploadJobs = await Promise.all(
          Array.from({ length: 4 }, (_, j) => postUploadJob(stack, `upload-${j}.png`, png.length)),
        );
        // A client that retries its POST: the same object twice, so two events.
        await Promise.all(
          uploadJobs.map(async ({ target }, j) => {
            await upload(target, `upload-${j}.png`, png);
            await upload(target, `upload-${j}.png`, png);
          }),
        );
        const jobIds = [...inlineJobs, ...uploadJobs.map((u) => u.uuid)];
        const files = await filesOf(stack, jobIds);
        const { onUpload } = stack.handlers;
        let copies = 0;
        let events = 0;
        await Promise.all(
          files.flatMap((file) => {
            const message: JobMessage = {
              v: 1,
              jobId: file.jobId,
              fileId: file.fileId,
              kind: 'image',
            };
            const duplicate = async () => {
              await stack.clients.sqs.send(
                new SendMessageCommand({
                  QueueUrl: resources.imageQueueUrl,
                  MessageBody: JSON.stringify(message),
                  DelaySeconds: randomInt(4),
                }),
              );
              copies += 1;
            };
            const event = async () => {
              await pause(randomInt(1_500));
              await onUpload(
                objectCreatedEvent(region, resources.inputBucket, file.inputKey, png.length, ''),
                lambdaContext('cutout-on-upload', 60_000),
              );
              events += 1;
            };
            return [duplicate(), duplicate(), event(), event()];
          }),
        );
        for (const id of jobIds) await waitFinished(stack, id, 60_000);
        await stack.emulators.uploadsSettled();
        // Every copy has been received and acknowledged; none went to a dead-letter queue.
        await untilDrained(stack);
        const enqueuedBySystem = sends.sent(RESOURCES.imageQueue) - copies;
        return report(
          stack,
          'every message 3 times, random order',
          `${copies} extra job messages, ${events} extra upload events, ${uploadJobs.length} re-POSTed uploads`,
          jobIds,
          processor.runs,
          {
            'messages the system enqueued': enqueuedBySystem,
            'messages dead-lettered': sends.deadLettered(),
            'processor runs': [...processor.runs.values()].reduce((a, b) => a + b, 0),
          },
        );
      },
    );
  });
}

/**
 * A worker stopped (SIGTERM's path: worker.stop()) mid-video with a drain deadline far shorter
 * than the video: it aborts the file, releases its lease and hands the message back; a second
 * worker claims it at once, though the first lease had most of its length to run.
 */
export async function sigtermMidVideo(): Promise<FaultReport> {
  const LEASE_MS = 30_000;
  let attempts = 0;
  let abortedFirst = false;
  const runs = new Map<string, number>();
  const video: VideoProcessor = async (_input, _options, ctx) => {
    attempts += 1;
    if (attempts === 1) {
      // A long video: it runs until the worker gives it up.
      await new Promise<void>((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          abortedFirst = true;
          reject(ctx.signal.reason);
        });
      });
    }
    const path = join(ctx.workDir, 'out.mov');
    await writeFile(path, Buffer.from('a small movie'));
    runs.set(ctx.fileName, (runs.get(ctx.fileName) ?? 0) + 1);
    return {
      path,
      contentType: 'video/quicktime',
      extension: 'mov',
      modelId: 'tiny',
      warnings: [],
    };
  };
  return withStack(
    {
      workers: 1,
      video: true,
      queues: {
        image: { visibilityTimeoutSeconds: 60, maxReceiveCount: 3 },
        video: { visibilityTimeoutSeconds: 60, maxReceiveCount: 3 },
      },
      worker: quickWorker({ video }, { drainMs: 500, leaseMs: LEASE_MS }),
    },
    async (stack) => {
      const mp4 = new Uint8Array(
        Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.alloc(64)]),
      );
      const jobId = await postInline(stack, 'video-backgroundremover', [
        { name: 'long.mp4', type: 'video/mp4', data: mp4 },
      ]);
      await until(
        () => attempts,
        (n) => n === 1,
        'the first worker to start the video',
      );
      const [first] = stack.workers;
      if (!first) throw new Error('no worker');
      stack.addWorker();
      await first.stop();
      const [afterStop] = await filesOf(stack, [jobId]);
      await waitFinished(stack, jobId, 20_000);
      await untilDrained(stack);
      return report(
        stack,
        'SIGTERM mid-video, drain 0.5 s',
        `1 stop mid-file with a ${LEASE_MS / 1000} s lease`,
        [jobId],
        runs,
        {
          'first attempt aborted': abortedFirst ? 'yes' : 'no',
          'lease after hand-back':
            afterStop?.leaseUntil === 0 ? 'released' : `held by attempt ${afterStop?.attempts}`,
          attempts,
        },
      );
    },
  );
}

/**
 * A dead letter arrives for a file a worker is still processing (a duplicate that ran out of
 * receives): the dead-letter handler must leave it alone, look again after the lease, and let
 * the worker finish it.
 */
export async function deadLetterWhileLeased(): Promise<FaultReport> {
  return withCountedProcessor(async (processor) => {
    let started = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const image: ImageProcessor = async (input, options, ctx) => {
      started = true;
      await gate;
      return processor.image(input, options, ctx);
    };
    return withStack(
      {
        workers: 1,
        queues: { image: { visibilityTimeoutSeconds: 4, maxReceiveCount: 3 } },
        worker: quickWorker({ image }),
      },
      async (stack) => {
        const { resources } = stack.emulators;
        const jobId = await postInline(stack, 'image-backgroundremover', [
          { name: 'held.png', type: 'image/png', data: await samplePng(32, 32) },
        ]);
        await until(() => started, Boolean, 'the worker to claim the file');
        await stack.clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: resources.imageDeadLetterQueueUrl,
            MessageBody: JSON.stringify({ v: 1, jobId, fileId: '0000', kind: 'image' }),
          }),
        );
        // Looked at twice (deferred once, then again after the lease) while the worker holds it.
        const receives = () => {
          const q = stack.emulators.fauxqs.inspectQueue(RESOURCES.imageDeadLetterQueue);
          const all = [...(q?.messages.ready ?? []), ...(q?.messages.delayed ?? [])].concat(
            (q?.messages.inflight ?? []).map((e) => e.message),
          );
          return Math.max(0, ...all.map((m) => m.approximateReceiveCount));
        };
        const looks = await until(receives, (n) => n >= 2, 'the dead letter to be re-checked');
        const [whileHeld] = await filesOf(stack, [jobId]);
        release();
        await waitFinished(stack, jobId, 20_000);
        await untilDrained(stack, 'the dead letter to be settled');
        return report(
          stack,
          'dead letter while the lease is live',
          '1 dead letter for a file being processed',
          [jobId],
          processor.runs,
          {
            'dead-letter looks while held': looks,
            'status while held': whileHeld?.status ?? 'gone',
          },
        );
      },
    );
  });
}

/**
 * Files stranded on the way to a worker, on one stack whose reconciler runs every second with
 * one-second thresholds: the S3 events of presigned uploads are lost (the asynchronous
 * invocation dropped), and the enqueue after a job's items were written fails.
 */
export async function strandedFiles(): Promise<FaultReport[]> {
  return withCountedProcessor(async (processor) => {
    return withStack(
      {
        reconciler: { intervalMs: 1_000, queuedAfterSeconds: 1, uploadGraceSeconds: 1 },
        worker: quickWorker({ image: processor.image }, { progressIntervalMs: undefined }),
      },
      async (stack) => {
        const { resources } = stack.emulators;
        const png = await samplePng(32, 24);
        const { onUpload } = stack.handlers;

        const uploads = await Promise.all(
          Array.from({ length: 3 }, (_, j) => postUploadJob(stack, `lost-${j}.png`, png.length)),
        );
        // The events go nowhere, as when the asynchronous invocation is dropped.
        stack.emulators.setObjectCreatedListener(undefined);
        await Promise.all(uploads.map(({ target }, j) => upload(target, `lost-${j}.png`, png)));
        await stack.emulators.uploadsSettled();
        stack.emulators.setObjectCreatedListener((event) =>
          onUpload(event, lambdaContext('cutout-on-upload', 60_000)),
        );

        const failing = {
          send: async () => {
            throw new Error('SendMessage: connection reset');
          },
        };
        const sendFailed: string[] = [];
        for (let j = 0; j < 3; j++) {
          const id = crypto.randomUUID();
          sendFailed.push(id);
          await createJob(
            {
              apiKeyId: undefined,
              fields: { convert_to: 'image-backgroundremover' },
              files: [
                {
                  field: 'files',
                  filename: `stranded-${j}.png`,
                  contentType: 'image/png',
                  data: png,
                },
              ],
            },
            {
              repo: repoOf(stack),
              inputs: new S3ObjectStore(
                stack.clients.s3,
                stack.clients.s3Presign,
                resources.inputBucket,
              ),
              queue: failing,
              newId: () => id,
            },
          ).catch(() => undefined);
        }

        const lost = uploads.map((j) => j.uuid);
        for (const id of [...lost, ...sendFailed]) await waitFinished(stack, id, 30_000);
        await untilDrained(stack);
        return [
          await report(
            stack,
            'lost upload events',
            `${lost.length} upload events dropped`,
            lost,
            processor.runs,
            {},
          ),
          await report(
            stack,
            'enqueue failed after the items were written',
            `${sendFailed.length} failed sends`,
            sendFailed,
            processor.runs,
            {},
          ),
        ];
      },
    );
  });
}

/**
 * The scenarios by name. Each needs a process of its own: the Lambda handler modules bind the
 * first stack's emulator endpoints when imported.
 */
export const FAULT_SCENARIOS: Readonly<Record<string, () => Promise<FaultReport[]>>> = {
  duplicates: async () => [await everyMessageThreeTimes()],
  sigterm: async () => [await sigtermMidVideo()],
  'dead-letter': async () => [await deadLetterWhileLeased()],
  stranded: strandedFiles,
};

/** One line per report, for test output. */
export function describeReport(r: FaultReport): string {
  const extra = Object.entries(r.detail)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return (
    `faults: ${r.scenario} (${r.injected}): ${r.done}/${r.files} done, ${r.failed} failed, ` +
    `${r.outputs} outputs, ${r.finishedTwice} finished twice, ${r.messagesLeft} messages left` +
    (extra ? `; ${extra}` : '')
  );
}
