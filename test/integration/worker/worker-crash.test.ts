import { GetObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSegmenterProvider,
  type OnnxSegmenterProvider,
} from '../../../adapters/onnx/segmenter-provider.ts';
import { createImageProcessor } from '../../../containers/worker/processors.ts';
import type { WorkerHandle } from '../../../containers/worker/start-worker.ts';
import { FILE_STATUSES, type FileStatus } from '../../../core/jobs/job.ts';
import type { ImageProcessor } from '../../../core/jobs/ports.ts';
import { type ProcessFileDeps, processFile } from '../../../core/jobs/process-file.ts';
import {
  harnessProcessFileDeps,
  inlinePng,
  repoUntilDeath,
  samplePng,
  startImageWorker,
  startWorkerHarness,
  type WorkerHarness,
  waitFor,
} from './worker-harness.ts';

/**
 * A worker that dies mid-file: SQS redelivers the message once its visibility runs out, the next
 * worker reclaims the file (the dead one's lease has ended) and finishes it. Each file must end
 * done exactly once, with one output object and no status moving backwards.
 */

const KILLS = 20;
const VISIBILITY_SECONDS = 2;

let harness: WorkerHarness;
let segmenters: OnnxSegmenterProvider;
const workers: WorkerHandle[] = [];
const blocked: string[] = [];
const crash = new Set<(error: Error) => void>();
const doneCount = new Map<string, number>();
let deps: ProcessFileDeps;

beforeAll(async () => {
  harness = await startWorkerHarness({
    visibilityTimeoutSeconds: VISIBILITY_SECONDS,
    maxReceiveCount: 10,
  });
  segmenters = createSegmenterProvider(harness.models);
  const real = createImageProcessor(segmenters);
  const firstSeen = new Set<string>();
  // The first attempt at every file hangs inside the pipeline, as a worker does when it dies.
  const image: ImageProcessor = (input, options, ctx) => {
    if (!firstSeen.has(ctx.fileName)) {
      firstSeen.add(ctx.fileName);
      blocked.push(ctx.fileName);
      return new Promise((_, reject) => crash.add(reject));
    }
    return real(input, options, ctx);
  };
  deps = harnessProcessFileDeps(harness, {
    processors: { image },
    leaseMs: 1_000,
    progressIntervalMs: 100,
  });
});

afterAll(async () => {
  // Let the hung attempts fail now; their late writes must not touch finished files.
  for (const reject of crash) reject(new Error('the worker process is gone'));
  await Promise.all(workers.map((w) => w.stop()));
  await segmenters?.close();
  await harness?.stop();
});

/**
 * A worker whose kill() is a crash for DynamoDB as well as for SQS: its in-process attempts
 * (hung in the pipeline) stop writing, so their leases are no longer renewed and run out.
 */
function start(): WorkerHandle {
  let alive = true;
  const repo = repoUntilDeath(harness.repo, () => alive);
  const worker = startImageWorker(harness, {
    heartbeatSeconds: 1,
    process: async (message, delivery) => {
      const result = await processFile(message, { ...deps, repo }, delivery);
      if (result.outcome === 'done')
        doneCount.set(message.jobId, (doneCount.get(message.jobId) ?? 0) + 1);
      return result;
    },
    retryDelaySeconds: 1,
    drainMs: 5_000,
  });
  workers.push(worker);
  return {
    get inFlight() {
      return worker.inFlight;
    },
    stop: () => worker.stop(),
    kill: () => {
      alive = false;
      worker.kill();
    },
  };
}

const rank = (s: FileStatus) => FILE_STATUSES.indexOf(s);

describe('worker crash mid-file', () => {
  it(`kills a worker mid-file ${KILLS} times; every file finishes exactly once`, async () => {
    const png = await samplePng(48, 40);
    const jobIds: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      jobIds.push(await harness.createImageJob([inlinePng(`photo-${i}.png`, png)]));
    }

    // Watch every file's status while it all happens.
    const history = new Map<string, FileStatus[]>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const jobId of jobIds) {
          const [file] = await harness.files(jobId);
          if (!file) continue;
          const seen = history.get(jobId) ?? [];
          if (seen.at(-1) !== file.status) seen.push(file.status);
          history.set(jobId, seen);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    for (let kill = 1; kill <= KILLS; kill++) {
      const worker = start();
      await waitFor(
        async () => blocked.length,
        (n) => n >= kill,
        `worker ${kill} to take a file`,
      );
      worker.kill();
    }
    for (let i = 0; i < 4; i++) start();
    const finished = await waitFor(
      async () => Promise.all(jobIds.map(async (id) => (await harness.files(id))[0])),
      (files) => files.every((f) => f?.status === 'done'),
      'every file to finish',
      60_000,
    );
    watching = false;
    await watcher;

    const outputs = await Promise.all(jobIds.map((id) => harness.outputKeys(id)));
    const duplicates = jobIds.filter((id) => (doneCount.get(id) ?? 0) > 1).length;
    const lost = finished.filter((f) => f?.status !== 'done').length;
    const backwards = [...history.values()].filter((seq) =>
      seq.some((s, i) => i > 0 && rank(s) < rank(seq[i - 1] as FileStatus)),
    ).length;
    console.log(
      `worker crash: ${KILLS} kills, ${blocked.length} hung attempts, ` +
        `${finished.filter((f) => f?.status === 'done').length}/${KILLS} files done, ` +
        `${duplicates} finished twice, ${lost} lost, ${backwards} moved backwards, ` +
        `attempts per file: ${[...new Set(finished.map((f) => f?.attempts))].sort().join('/')}`,
    );

    expect(blocked).toHaveLength(KILLS);
    expect(lost).toBe(0);
    expect(duplicates).toBe(0);
    expect(backwards).toBe(0);
    for (const id of jobIds) expect(doneCount.get(id)).toBe(1);
    for (const [i, keys] of outputs.entries()) {
      expect(keys).toEqual([`jobs/${jobIds[i]}/photo-${i}.png`]);
    }
    for (const file of finished) {
      expect(file?.attempts).toBeGreaterThanOrEqual(2);
      expect(file?.progress).toBe(1);
    }
    const output = await harness.clients.s3.send(
      new GetObjectCommand({
        Bucket: harness.emulators.resources.outputBucket,
        Key: outputs[0]?.[0],
      }),
    );
    const meta = await sharp(await output.Body?.transformToByteArray()).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 48, height: 40, hasAlpha: true });
  });
});
