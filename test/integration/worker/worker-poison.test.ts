import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../../../containers/worker/start-worker.ts';
import type { WorkerRuntime } from '../../../containers/worker/worker-runtime.ts';
import {
  harnessRuntime,
  inlinePng,
  samplePng,
  startImageWorker,
  startWorkerHarness,
  type WorkerHarness,
  waitFor,
} from './worker-harness.ts';

/**
 * Inputs that can never be processed fail their own file with a reason naming it; the worker
 * acknowledges them (no redelivery loop), stays up and processes the next good file.
 */

let harness: WorkerHarness;
let runtime: WorkerRuntime;
let worker: WorkerHandle;

beforeAll(async () => {
  harness = await startWorkerHarness({ visibilityTimeoutSeconds: 5, maxReceiveCount: 3 });
  runtime = await harnessRuntime(harness, { warmupModel: 'u2net', leaseMs: 2_000 });
});

function startTheWorker(): void {
  worker = startImageWorker(harness, {
    heartbeatSeconds: 2,
    process: runtime.process,
    retryDelaySeconds: 1,
  });
}

afterAll(async () => {
  await worker?.stop();
  await runtime?.close();
  await harness?.stop();
});

describe('poison inputs', () => {
  it('fails zero-byte, text-as-png and truncated files with reasons; the worker carries on', async () => {
    const good = await samplePng(40, 30);
    const poison = [
      // The API refuses an empty inline part, so this one arrives as an upload that ended up
      // empty (on AWS the POST policy's size range stops it; the emulator does not check).
      inlinePng('empty.png', good),
      inlinePng('notes.png', new TextEncoder().encode('this is a text file, not a PNG\n')),
      inlinePng('cut.png', good.slice(0, Math.floor(good.length / 2))),
    ];
    const poisonJobs: string[] = [];
    for (const file of poison) poisonJobs.push(await harness.createImageJob([file]));
    const [emptyFile] = await harness.files(poisonJobs[0] ?? '');
    await harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: harness.emulators.resources.inputBucket,
        Key: emptyFile?.inputKey,
        Body: new Uint8Array(0),
      }),
    );
    // Queued after the poison: proof the same worker is still processing.
    const goodJob = await harness.createImageJob([inlinePng('after.png', good)]);
    startTheWorker();

    const settled = await waitFor(
      async () =>
        Promise.all([...poisonJobs, goodJob].map(async (id) => (await harness.files(id))[0])),
      (files) => files.every((f) => f?.status === 'done' || f?.status === 'failed'),
      'every file to finish',
    );
    const [empty, notes, cut, after] = settled;
    console.log(
      `poison inputs: ${settled.filter((f) => f?.status === 'failed').length} failed, ` +
        `${settled.filter((f) => f?.status === 'done').length} done; reasons: ` +
        [empty, notes, cut].map((f) => `${f?.inputName}: "${f?.error}"`).join('; '),
    );
    for (const [file, name] of [
      [empty, 'empty.png'],
      [notes, 'notes.png'],
      [cut, 'cut.png'],
    ] as const) {
      expect(file?.status).toBe('failed');
      expect(file?.error).toContain(name);
      // Failed on the first attempt: acknowledged, not redelivered until the dead-letter queue.
      expect(file?.attempts).toBe(1);
    }
    expect(after?.status).toBe('done');
    expect(await harness.outputKeys(goodJob)).toEqual([`jobs/${goodJob}/after.png`]);
    for (const id of poisonJobs) expect(await harness.outputKeys(id)).toEqual([]);
    expect(worker.inFlight).toBe(0);
  });
});
