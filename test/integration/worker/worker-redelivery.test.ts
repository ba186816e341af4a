import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../../../containers/worker/start-worker.ts';
import type { ImageProcessor, JobRepository } from '../../../core/jobs/ports.ts';
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
 * SQS shows a message again while its holder still works (the holder's visibility heartbeats
 * stopped), and the holder dies afterwards. The redelivery must not be acknowledged as a mere
 * duplicate: it is hidden until the lease can have ended, and then takes the file over.
 */

const VISIBILITY_SECONDS = 2;
let harness: WorkerHarness;
let deps: ProcessFileDeps;
const workers: WorkerHandle[] = [];
let firstStarted = false;
let holderAlive = true;
const outcomes: string[] = [];

beforeAll(async () => {
  harness = await startWorkerHarness({
    visibilityTimeoutSeconds: VISIBILITY_SECONDS,
    maxReceiveCount: 6,
  });
  const image: ImageProcessor = async (input) => {
    if (!firstStarted) {
      firstStarted = true;
      await new Promise(() => undefined); // the holder works on, then dies
    }
    return {
      data: input,
      contentType: 'image/png',
      extension: 'png',
      modelId: 'tiny',
      warnings: [],
    };
  };
  deps = harnessProcessFileDeps(harness, { processors: { image }, leaseMs: 1_500 });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await harness?.stop();
});

function start(repo: JobRepository): WorkerHandle {
  const worker = startImageWorker(harness, {
    heartbeatSeconds: 1,
    process: async (message, delivery) => {
      const result = await processFile(message, { ...deps, repo }, delivery);
      outcomes.push(result.outcome);
      return result;
    },
    retryDelaySeconds: 1,
    drainMs: 1_000,
  });
  workers.push(worker);
  return worker;
}

describe('a redelivered message of a leased file', () => {
  it('is looked at again after the lease, and finishes the file once its holder has died', async () => {
    // The holder's DynamoDB writes (lease renewals) go on until it "dies".
    const holderRepo = repoUntilDeath(harness.repo, () => holderAlive);
    const holder = start(holderRepo);
    const jobId = await harness.createImageJob([inlinePng('held.png', await samplePng(16, 16))]);
    await waitFor(async () => firstStarted, Boolean, 'the holder to claim the file');
    // Its heartbeats stop: SQS shows the message again while the holder still renews its lease.
    holder.kill();
    start(harness.repo);
    await waitFor(
      async () => outcomes,
      (o) => o.includes('held'),
      'the redelivery to find the file held',
    );
    const [whileHeld] = await harness.files(jobId);
    expect(whileHeld?.status).toBe('running');
    holderAlive = false;
    const [file] = await waitFor(
      () => harness.files(jobId),
      (files) => files[0]?.status === 'done',
      'the file to be taken over and finished',
    );
    expect(file?.attempts).toBe(2);
    expect(await harness.outputKeys(jobId)).toEqual([`jobs/${jobId}/held.png`]);
    expect(outcomes).not.toContain('skipped');
  });
});
