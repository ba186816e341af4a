import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import type { InlineFile } from '../../../../core/jobs/create-job.ts';
import type { ImageProcessor } from '../../../../core/jobs/ports.ts';
import { processFile } from '../../../../core/jobs/process-file.ts';
import { claimUpdate } from '../../../../core/jobs/transitions.ts';
import {
  createMemoryJob,
  inlinePart,
  JOB_ID,
  memoryJobPorts,
  processFileDeps,
  recordedScratch,
} from '../../../support/memory-jobs.ts';

const MESSAGE = { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'image' } as const;

/** An image job with one queued file, cat.jpg. */
async function setup() {
  const ports = memoryJobPorts();
  await createMemoryJob(ports, {
    fields: { convert_to: 'image-backgroundremover' },
    files: [inlinePart('cat.jpg', 'image/jpeg', new Uint8Array([1, 2, 3]))],
  });
  return ports;
}

/** A video job with one queued file, clip.mp4 (and the background, when given). */
async function videoSetup(fields: Record<string, string>, background?: InlineFile) {
  const ports = memoryJobPorts();
  await createMemoryJob(ports, {
    fields: { convert_to: 'video-backgroundremover', ...fields },
    files: [inlinePart('clip.mp4', 'video/mp4', new Uint8Array([1, 2]))],
    ...(background ? { background } : {}),
  });
  return ports;
}

/** Polls `check` until it holds (real time; the fake clock only drives lease arithmetic). */
async function until(check: () => Promise<boolean> | boolean, what = 'condition'): Promise<void> {
  const end = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const echo: ImageProcessor = async (input, options, ctx) => {
  ctx.onProgress(0.5);
  return {
    data: new Uint8Array([...input, 9]),
    contentType: 'image/png',
    extension: 'png',
    modelId: options.model,
    warnings: ['w'],
  };
};

describe('processFile', () => {
  it('claims, runs the processor, writes the output under the fixed key and marks done', async () => {
    const ports = await setup();
    const { repo, outputs } = ports;
    const seen: string[] = [];
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        processors: {
          image: async (input, options, ctx) => {
            seen.push(ctx.fileName);
            return echo(input, options, ctx);
          },
        },
      }),
    );
    expect(outcome).toEqual({
      outcome: 'done',
      outputKey: `jobs/${JOB_ID}/cat.png`,
      modelId: 'u2net',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(seen).toEqual(['cat.jpg']);
    expect(outputs.objects.get(`jobs/${JOB_ID}/cat.png`)?.data).toEqual(
      new Uint8Array([1, 2, 3, 9]),
    );
    expect(outputs.objects.get(`jobs/${JOB_ID}/cat.png`)?.options?.downloadName).toBe('cat.png');
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({
      status: 'done',
      progress: 1,
      attempts: 1,
      modelId: 'u2net',
      warnings: ['w'],
      outputSize: 4,
    });
  });

  it('skips a redelivered message of a finished file without running anything', async () => {
    const ports = await setup();
    const { repo } = ports;
    await processFile(MESSAGE, processFileDeps(ports, { processors: { image: echo } }));
    let runs = 0;
    const again = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        processors: {
          image: async (...args) => {
            runs++;
            return echo(...args);
          },
        },
      }),
    );
    expect(again.outcome).toBe('skipped');
    expect(runs).toBe(0);
    expect((await repo.getFile(JOB_ID, '0000'))?.attempts).toBe(1);
  });

  it('fails the file with the message of a non-retryable error and resolves (ack)', async () => {
    const ports = await setup();
    const { repo, outputs } = ports;
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        processors: {
          image: async () => {
            throw new CutoutError('DECODE_FAILED', 'not a decodable image');
          },
        },
      }),
    );
    expect(outcome).toMatchObject({
      outcome: 'failed',
      code: 'DECODE_FAILED',
      error: 'cat.jpg: not a decodable image',
      modelId: 'u2net',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({
      status: 'failed',
      error: 'cat.jpg: not a decodable image',
    });
    expect(outputs.objects.size).toBe(0);
  });

  it('rejects on a retryable error, keeping the reason and freeing the file for the next delivery', async () => {
    const ports = await setup();
    const { repo } = ports;
    const failing = processFile(
      MESSAGE,
      processFileDeps(ports, {
        processors: {
          image: async () => {
            throw new CutoutError('MODEL_UNAVAILABLE', 'model u2net is loading');
          },
        },
      }),
    );
    await expect(failing).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({
      status: 'running',
      leaseUntil: 0,
      lastError: 'model u2net is loading',
    });
    const retry = await processFile(
      MESSAGE,
      processFileDeps(ports, { processors: { image: echo } }),
    );
    expect(retry.outcome).toBe('done');
    expect((await repo.getFile(JOB_ID, '0000'))?.attempts).toBe(2);
  });

  it('names the file at the front of its reason even when the problem mentions it', async () => {
    const ports = await setup();
    const { repo, inputs } = ports;
    const inputKey = (await repo.getFile(JOB_ID, '0000'))?.inputKey ?? '';
    inputs.objects.delete(inputKey);
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, { processors: { image: echo } }),
    );
    // Read from the error's fields: a name inside the text is not the reason's lead.
    expect(outcome).toMatchObject({
      outcome: 'failed',
      code: 'INPUT_NOT_FOUND',
      error: `cat.jpg: ${inputKey} does not exist`,
    });
  });

  it('says an error about the background after the file it failed', async () => {
    const ports = await setup();
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        processors: {
          image: async () => {
            throw new CutoutError('DECODE_FAILED', 'the png data is corrupt', {
              field: 'background',
              file: 'background',
            });
          },
        },
      }),
    );
    expect(outcome).toMatchObject({
      outcome: 'failed',
      error: 'cat.jpg: background: the png data is corrupt',
    });
  });

  it('does not leak internal error text into the stored reason', async () => {
    const ports = await setup();
    const { repo } = ports;
    await expect(
      processFile(
        MESSAGE,
        processFileDeps(ports, {
          processors: {
            image: async () => {
              throw new Error('secret stack detail');
            },
          },
        }),
      ),
    ).rejects.toThrow('secret stack detail');
    expect((await repo.getFile(JOB_ID, '0000'))?.lastError).toBe('an internal error');
  });

  it('acknowledges a duplicate of a file another worker holds, and takes it over after the lease', async () => {
    const ports = await setup();
    const { repo, outputs, clock } = ports;
    let release: () => void = () => undefined;
    const slow: ImageProcessor = async (input, options, ctx) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return echo(input, options, ctx);
    };
    const first = processFile(
      MESSAGE,
      processFileDeps(ports, { leaseMs: 1000, processors: { image: slow } }),
    );
    await until(async () => (await repo.getFile(JOB_ID, '0000'))?.status === 'running');
    let duplicateRuns = 0;
    // Resolving means "acknowledge": a retry would count toward the dead-letter limit.
    const duplicate = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        leaseMs: 1000,
        processors: {
          image: async (...args) => {
            duplicateRuns++;
            return echo(...args);
          },
        },
      }),
    );
    expect(duplicate).toMatchObject({ outcome: 'skipped' });
    expect(duplicate.outcome === 'skipped' && duplicate.reason).toMatch(/another worker holds/);
    expect(duplicateRuns).toBe(0);
    expect((await repo.getFile(JOB_ID, '0000'))?.attempts).toBe(1);
    // A redelivered message may be the holder's own: hidden until the lease can have ended.
    clock.advance(400);
    const redelivered = await processFile(
      MESSAGE,
      processFileDeps(ports, { leaseMs: 1000, processors: { image: echo } }),
      { receiveCount: 2 },
    );
    expect(redelivered).toMatchObject({ outcome: 'held', retryInSeconds: 2 });
    clock.advance(-400);
    // The first worker "crashes": its lease runs out and a redelivery takes over.
    clock.advance(1001);
    const second = await processFile(
      MESSAGE,
      processFileDeps(ports, { processors: { image: echo } }),
    );
    expect(second.outcome).toBe('done');
    release();
    // The zombie finishes late: its completion no longer counts, the output key is the same.
    expect((await first).outcome).toBe('skipped');
    expect(outputs.objects.size).toBe(1);
    expect((await repo.getFile(JOB_ID, '0000'))?.attempts).toBe(2);
  });

  it('fails the file when its input is gone', async () => {
    const ports = await setup();
    const { inputs } = ports;
    inputs.objects.clear();
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, { processors: { image: echo } }),
    );
    expect(outcome).toMatchObject({ outcome: 'failed', code: 'INPUT_NOT_FOUND' });
  });

  it('skips messages for unknown jobs', async () => {
    const ports = await setup();
    const outcome = await processFile(
      { ...MESSAGE, jobId: '99999999-2222-4333-8444-555555555555' },
      processFileDeps(ports, { processors: { image: echo } }),
    );
    expect(outcome.outcome).toBe('skipped');
  });
});

/** An image processor that runs until its signal aborts, then rejects with the signal's reason. */
function blockingUntilAborted(seen: { aborted?: unknown; started?: boolean }): ImageProcessor {
  return (_input, _options, ctx) => {
    seen.started = true;
    return new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        seen.aborted = ctx.signal.reason;
        reject(ctx.signal.reason);
      });
    });
  };
}

describe('processFile leases, deadlines and hand-back', () => {
  it('renews an image lease on a timer, without progress, so a duplicate still finds it held', async () => {
    const ports = await setup();
    const { repo, clock } = ports;
    const seen: { started?: boolean } = {};
    const first = processFile(
      MESSAGE,
      processFileDeps(ports, {
        leaseMs: 60,
        imageDeadlineMs: 60_000,
        processors: { image: blockingUntilAborted(seen) },
      }),
    );
    await until(() => seen.started === true, 'the processor to start');
    const claimedUntil = (await repo.getFile(JOB_ID, '0000'))?.leaseUntil ?? 0;
    // Time passes with no progress report; the renewal timer alone must push the lease on.
    clock.advance(50);
    await until(
      async () => ((await repo.getFile(JOB_ID, '0000'))?.leaseUntil ?? 0) > claimedUntil,
      'a timed renewal',
    );
    clock.advance(50); // past the first lease: without renewals the duplicate would claim here
    const duplicate = await processFile(
      MESSAGE,
      processFileDeps(ports, { leaseMs: 60, processors: { image: echo } }),
    );
    expect(duplicate.outcome).toBe('skipped');
    expect((await repo.getFile(JOB_ID, '0000'))?.attempts).toBe(1);
    // Let the first call end: take the file over so its next renewal finds it lost.
    clock.advance(1_000);
    await processFile(MESSAGE, processFileDeps(ports, { processors: { image: echo } }));
    expect((await first).outcome).toBe('skipped');
  });

  it('aborts the processor when a renewal finds the file taken over (lost lease)', async () => {
    const ports = await setup();
    const { repo, outputs, clock } = ports;
    const seen: { aborted?: unknown; started?: boolean } = {};
    const first = processFile(
      MESSAGE,
      processFileDeps(ports, { leaseMs: 30, processors: { image: blockingUntilAborted(seen) } }),
    );
    await until(() => seen.started === true, 'the processor to start');
    // Another claim takes the file (as after a long stall past the lease).
    const file = await repo.getFile(JOB_ID, '0000');
    if (!file) throw new Error('no file');
    clock.advance(1_000);
    expect(
      await repo.updateFile(claimUpdate(file, clock.now(), 60_000, 'other-token')),
    ).toBeTruthy();
    expect(await first).toEqual({ outcome: 'skipped', reason: 'lost the claim while processing' });
    expect(seen.aborted).toMatchObject({ code: 'JOB_CONFLICT' });
    // The new owner's claim is untouched.
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({
      status: 'running',
      leaseToken: 'other-token',
    });
    expect(outputs.objects.size).toBe(0);
  });

  it('fails a file past its deadline with DEADLINE_EXCEEDED, aborting the processor and clearing the lease', async () => {
    const ports = await setup();
    const { repo, outputs } = ports;
    const seen: { aborted?: unknown; started?: boolean } = {};
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        imageDeadlineMs: 200,
        videoDeadlineMs: 60_000,
        processors: { image: blockingUntilAborted(seen) },
      }),
    );
    const reason = 'cat.jpg: did not finish within 0.2 s (the image deadline)';
    expect(outcome).toMatchObject({ outcome: 'failed', code: 'DEADLINE_EXCEEDED', error: reason });
    expect(seen.aborted).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({
      status: 'failed',
      error: reason,
      leaseUntil: 0,
    });
    expect(outputs.objects.size).toBe(0);
  });

  it('fails at the deadline even when the processor ignores the signal (after the grace)', async () => {
    const ports = await setup();
    const { repo } = ports;
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        imageDeadlineMs: 100,
        abortGraceMs: 20,
        processors: { image: () => new Promise(() => undefined) },
      }),
    );
    expect(outcome).toMatchObject({ outcome: 'failed', code: 'DEADLINE_EXCEEDED' });
    expect((await repo.getFile(JOB_ID, '0000'))?.status).toBe('failed');
  });

  it('on hand-back releases the lease at once, keeps quiet afterwards, and rejects for redelivery', async () => {
    const ports = await setup();
    const { repo, clock } = ports;
    const handBack = new AbortController();
    let started = false;
    let lateProgress = false;
    const first = processFile(
      MESSAGE,
      processFileDeps(ports, {
        leaseMs: 60_000,
        progressIntervalMs: 0,
        processors: {
          image: (_input, _options, ctx) => {
            started = true;
            return new Promise((_, reject) => {
              ctx.signal.addEventListener('abort', () => {
                // A straggling progress report after the release must not extend the lease again.
                setTimeout(() => {
                  clock.advance(1);
                  ctx.onProgress(0.9);
                  lateProgress = true;
                  reject(ctx.signal.reason);
                }, 20);
              });
            });
          },
        },
      }),
      { signal: handBack.signal },
    );
    await until(() => started, 'the processor to start');
    handBack.abort();
    await expect(first).rejects.toMatchObject({ code: 'INTERNAL' });
    await until(() => lateProgress, 'the late progress report');
    await new Promise((r) => setTimeout(r, 20));
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({
      status: 'running',
      leaseUntil: 0,
      lastError: 'handed back at shutdown',
    });
    // The next worker claims at once: no waiting for the 60 s lease.
    const next = await processFile(
      MESSAGE,
      processFileDeps(ports, { processors: { image: echo } }),
    );
    expect(next.outcome).toBe('done');
  });
});

describe('processFile for video', () => {
  it('hands the processor local paths (input, background, work dir), uploads its output file and cleans up', async () => {
    const ports = await videoSetup(
      { video_format: 'video_over_image' },
      inlinePart('sky.jpg', 'image/jpeg', new Uint8Array([3]), 'bg_image'),
    );
    const { repo, outputs } = ports;
    const { scratch, dirs, dispose } = await recordedScratch();
    try {
      const outcome = await processFile(
        { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'video' },
        processFileDeps(ports, {
          scratch,
          processors: {
            video: async (inputPath, options, ctx) => {
              // Neutral names: the processor sniffs the container, never trusting an extension.
              expect(basename(inputPath)).toBe('input');
              expect(await readFile(inputPath)).toEqual(Buffer.from([1, 2]));
              expect(ctx.backgroundPath && basename(ctx.backgroundPath)).toBe('background');
              expect(options.format).toBe('video_over_image');
              const path = join(ctx.workDir, 'out.mp4');
              await writeFile(path, Buffer.from([4, 5, 6]));
              return {
                path,
                contentType: 'video/mp4',
                extension: 'mp4',
                modelId: 'u2net',
                warnings: [],
              };
            },
          },
        }),
      );
      expect(outcome).toMatchObject({ outcome: 'done', outputKey: `jobs/${JOB_ID}/clip.mp4` });
      expect(outputs.objects.get(`jobs/${JOB_ID}/clip.mp4`)?.data).toEqual(
        new Uint8Array([4, 5, 6]),
      );
      expect((await repo.getFile(JOB_ID, '0000'))?.outputSize).toBe(3);
      expect(dirs.every((dir) => !existsSync(dir))).toBe(true);
    } finally {
      await dispose();
    }
  });

  it('fails a video past its deadline and removes its scratch folder', async () => {
    const ports = await videoSetup({});
    const { repo } = ports;
    const { scratch, dirs, dispose } = await recordedScratch();
    try {
      const outcome = await processFile(
        { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'video' },
        processFileDeps(ports, {
          imageDeadlineMs: 60_000,
          videoDeadlineMs: 300,
          scratch,
          processors: {
            video: (_input, _options, ctx) =>
              new Promise((_, reject) => {
                void writeFile(join(ctx.workDir, 'partial.mov'), Buffer.from([1]));
                ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
              }),
          },
        }),
      );
      expect(outcome).toMatchObject({
        outcome: 'failed',
        code: 'DEADLINE_EXCEEDED',
        error: 'clip.mp4: did not finish within 0.3 s (the video deadline)',
      });
      expect(dirs).toHaveLength(1);
      expect(dirs.every((dir) => !existsSync(dir))).toBe(true);
      expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({ status: 'failed', leaseUntil: 0 });
    } finally {
      await dispose();
    }
  });
});
