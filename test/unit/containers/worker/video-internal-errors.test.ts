import { describe, expect, it } from 'vitest';
import { createMessageHandler } from '../../../../containers/worker/handle-message.ts';
import { createVideoProcessor } from '../../../../containers/worker/processors.ts';
import { noTaskProtection } from '../../../../containers/worker/task-protection.ts';
import { CutoutError } from '../../../../core/errors.ts';
import { failDeadLetter } from '../../../../core/jobs/fail-dead-letter.ts';
import { processFile } from '../../../../core/jobs/process-file.ts';
import type { Segmenter } from '../../../../core/ports.ts';
import type { VideoCodec } from '../../../../core/video/video-codec.ts';
import {
  createMemoryJob,
  inlinePart,
  JOB_ID,
  memoryJobPorts,
  recordedScratch,
} from '../../../support/memory-jobs.ts';
import { recordingLog } from '../../../support/recording-log.ts';

const MESSAGE = { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'video' } as const;
const BUG = "Cannot read properties of undefined (reading 'data') at /srv/worker/scratch/input";

const segmenter: Segmenter = {
  spec: { id: 'u2net', inputSize: 8, mean: [0, 0, 0], std: [1, 1, 1] },
  maxBatch: 1,
  infer: async () => new Float32Array(64),
};

/** A codec whose pass hits a programming error on its first read, or `failure` when given. */
function codecFailingWith(failure: unknown): VideoCodec {
  return {
    probe: async () => ({
      width: 8,
      height: 8,
      frameRate: { num: 10, den: 1 },
      frameCount: 3,
      durationSeconds: 0.3,
      hasAudio: false,
    }),
    readImage: async () => new Uint8Array(),
    start: () => ({
      read: async () => {
        throw failure;
      },
      ready: () => 0,
      write: async () => undefined,
      finish: async () => undefined,
      abort: async () => undefined,
    }),
  };
}

/** A video job (clip.mp4) and the processFile deps of a worker whose video codec is `codec`. */
async function videoWorker(codec: VideoCodec) {
  const ports = memoryJobPorts();
  await createMemoryJob(ports, {
    fields: { convert_to: 'video-backgroundremover' },
    files: [inlinePart('clip.mp4', 'video/mp4', new Uint8Array([1, 2]))],
  });
  const { scratch, dispose } = await recordedScratch();
  const video = createVideoProcessor({ get: async () => segmenter }, codec);
  return { ports, deps: { ...ports, scratch, processors: { video } }, dispose };
}

/** Runs clip.mp4 through the worker's real video processor over `codec`. */
async function runVideo(codec: VideoCodec) {
  const { ports, deps, dispose } = await videoWorker(codec);
  try {
    const outcome = await processFile(MESSAGE, deps).catch((thrown: unknown) => ({ thrown }));
    return { ports, outcome };
  } finally {
    await dispose();
  }
}

describe('unexpected errors in the video pipeline', () => {
  it('are INTERNAL and retried, and their text never reaches the file item', async () => {
    const { ports, outcome } = await runVideo(codecFailingWith(new TypeError(BUG)));
    // Rejecting leaves the message for redelivery; the worker logs what is thrown.
    expect(outcome).toHaveProperty('thrown');
    const thrown = (outcome as { thrown: unknown }).thrown;
    expect(thrown).toBeInstanceOf(CutoutError);
    expect(thrown).toMatchObject({ code: 'INTERNAL', retryable: true, message: BUG });
    const file = await ports.repo.getFile(JOB_ID, '0000');
    expect(file).toMatchObject({
      status: 'running',
      leaseUntil: 0,
      lastError: 'an internal error',
    });
    expect(file?.error).toBeUndefined();
    expect(JSON.stringify(file)).not.toContain('Cannot read properties');

    // Out of receives, the dead letter says so without the text.
    const dead = await failDeadLetter(MESSAGE, { repo: ports.repo, clock: ports.clock });
    expect(dead).toEqual({
      outcome: 'failed',
      reason: 'clip.mp4: gave up after 1 attempt: an internal error',
    });
  });

  it('are logged with their text by the worker, which asks for redelivery', async () => {
    const { deps, dispose } = await videoWorker(codecFailingWith(new TypeError(BUG)));
    const { log, lines } = recordingLog();
    const handle = createMessageHandler({
      process: (job, options) => processFile(job, deps, options),
      protection: noTaskProtection,
      log,
      metrics: () => undefined,
    });
    try {
      const verdict = await handle(
        { MessageId: 'm-1', Body: JSON.stringify(MESSAGE) },
        new AbortController().signal,
      );
      expect(verdict).toBe('retry');
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: 'file.retry',
          fields: expect.objectContaining({ code: 'INTERNAL', error: BUG }),
        }),
      );
    } finally {
      await dispose();
    }
  });

  it('keep a CutoutError a verdict on the file, its scratch paths scrubbed', async () => {
    const refusal = new CutoutError(
      'PROCESSING_FAILED',
      'ffmpeg could not encode /srv/worker/scratch/output.mov (prores_ks): bad option',
    );
    const { ports, outcome } = await runVideo(codecFailingWith(refusal));
    expect(outcome).toEqual(
      expect.objectContaining({
        outcome: 'failed',
        code: 'PROCESSING_FAILED',
        error: 'clip.mp4: ffmpeg could not encode output.mov (prores_ks): bad option',
      }),
    );
    expect((await ports.repo.getFile(JOB_ID, '0000'))?.status).toBe('failed');
  });
});
