import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { createJob } from '../../../../core/jobs/create-job.ts';
import type { ImageProcessor } from '../../../../core/jobs/ports.ts';
import { processFile } from '../../../../core/jobs/process-file.ts';
import {
  FakeClock,
  MemoryJobQueue,
  MemoryJobRepository,
  MemoryObjectStore,
} from './memory-ports.ts';

const JOB_ID = '11111111-2222-4333-8444-555555555555';
const MESSAGE = { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'image' } as const;

async function setup() {
  const repo = new MemoryJobRepository();
  const inputs = new MemoryObjectStore('inputs');
  const outputs = new MemoryObjectStore('outputs');
  const clock = new FakeClock();
  await createJob(
    {
      apiKeyId: 'k',
      fields: { convert_to: 'image-backgroundremover' },
      files: [
        {
          field: 'files',
          filename: 'cat.jpg',
          contentType: 'image/jpeg',
          data: new Uint8Array([1, 2, 3]),
        },
      ],
    },
    { repo, inputs, queue: new MemoryJobQueue(), clock, newId: () => JOB_ID },
  );
  return { repo, inputs, outputs, clock };
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
    const { repo, inputs, outputs, clock } = await setup();
    const seen: string[] = [];
    const outcome = await processFile(MESSAGE, {
      repo,
      inputs,
      outputs,
      clock,
      processors: {
        image: async (input, options, ctx) => {
          seen.push(ctx.fileName);
          return echo(input, options, ctx);
        },
      },
    });
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
    const { repo, inputs, outputs, clock } = await setup();
    await processFile(MESSAGE, { repo, inputs, outputs, clock, processors: { image: echo } });
    let runs = 0;
    const again = await processFile(MESSAGE, {
      repo,
      inputs,
      outputs,
      clock,
      processors: {
        image: async (...args) => {
          runs++;
          return echo(...args);
        },
      },
    });
    expect(again.outcome).toBe('skipped');
    expect(runs).toBe(0);
    expect((await repo.getFile(JOB_ID, '0000'))?.attempts).toBe(1);
  });

  it('fails the file with the message of a non-retryable error and resolves (ack)', async () => {
    const { repo, inputs, outputs, clock } = await setup();
    const outcome = await processFile(MESSAGE, {
      repo,
      inputs,
      outputs,
      clock,
      processors: {
        image: async () => {
          throw new CutoutError('DECODE_FAILED', 'not a decodable image');
        },
      },
    });
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
    const { repo, inputs, outputs, clock } = await setup();
    const failing = processFile(MESSAGE, {
      repo,
      inputs,
      outputs,
      clock,
      processors: {
        image: async () => {
          throw new CutoutError('MODEL_UNAVAILABLE', 'model u2net is loading');
        },
      },
    });
    await expect(failing).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({
      status: 'running',
      leaseUntil: 0,
      lastError: 'cat.jpg: model u2net is loading',
    });
    const retry = await processFile(MESSAGE, {
      repo,
      inputs,
      outputs,
      clock,
      processors: { image: echo },
    });
    expect(retry.outcome).toBe('done');
    expect((await repo.getFile(JOB_ID, '0000'))?.attempts).toBe(2);
  });

  it('does not leak internal error text into the stored reason', async () => {
    const { repo, inputs, outputs, clock } = await setup();
    await expect(
      processFile(MESSAGE, {
        repo,
        inputs,
        outputs,
        clock,
        processors: {
          image: async () => {
            throw new Error('secret stack detail');
          },
        },
      }),
    ).rejects.toThrow('secret stack detail');
    expect((await repo.getFile(JOB_ID, '0000'))?.lastError).toBe('an internal error');
  });

  it('leaves a file another worker holds (reject) and takes it over after the lease', async () => {
    const { repo, inputs, outputs, clock } = await setup();
    let release: () => void = () => undefined;
    const slow: ImageProcessor = async (input, options, ctx) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return echo(input, options, ctx);
    };
    const first = processFile(MESSAGE, {
      repo,
      inputs,
      outputs,
      clock,
      leaseMs: 1000,
      processors: { image: slow },
    });
    await new Promise((r) => setTimeout(r, 10));
    await expect(
      processFile(MESSAGE, {
        repo,
        inputs,
        outputs,
        clock,
        leaseMs: 1000,
        processors: { image: echo },
      }),
    ).rejects.toMatchObject({ code: 'JOB_CONFLICT' });
    // The first worker "crashes": its lease runs out and a redelivery takes over.
    clock.advance(1001);
    const second = await processFile(MESSAGE, {
      repo,
      inputs,
      outputs,
      clock,
      processors: { image: echo },
    });
    expect(second.outcome).toBe('done');
    release();
    // The zombie finishes late: its completion no longer counts, the output key is the same.
    expect((await first).outcome).toBe('skipped');
    expect(outputs.objects.size).toBe(1);
    expect((await repo.getFile(JOB_ID, '0000'))?.attempts).toBe(2);
  });

  it('fails the file when its input is gone', async () => {
    const { repo, inputs, outputs, clock } = await setup();
    inputs.objects.clear();
    const outcome = await processFile(MESSAGE, {
      repo,
      inputs,
      outputs,
      clock,
      processors: { image: echo },
    });
    expect(outcome).toMatchObject({ outcome: 'failed', code: 'INPUT_NOT_FOUND' });
  });

  it('skips messages for unknown jobs', async () => {
    const { repo, inputs, outputs, clock } = await setup();
    const outcome = await processFile(
      { ...MESSAGE, jobId: '99999999-2222-4333-8444-555555555555' },
      { repo, inputs, outputs, clock, processors: { image: echo } },
    );
    expect(outcome.outcome).toBe('skipped');
  });
});

describe('processFile for video', () => {
  it('hands the processor local paths (input, background, work dir), uploads its output file and cleans up', async () => {
    const repo = new MemoryJobRepository();
    const inputs = new MemoryObjectStore('inputs');
    const outputs = new MemoryObjectStore('outputs');
    const clock = new FakeClock();
    await createJob(
      {
        apiKeyId: 'k',
        fields: { convert_to: 'video-backgroundremover', video_format: 'video_over_image' },
        files: [
          {
            field: 'files',
            filename: 'clip.mp4',
            contentType: 'video/mp4',
            data: new Uint8Array([1, 2]),
          },
        ],
        background: {
          field: 'bg_image',
          filename: 'sky.jpg',
          contentType: 'image/jpeg',
          data: new Uint8Array([3]),
        },
      },
      { repo, inputs, queue: new MemoryJobQueue(), clock, newId: () => JOB_ID },
    );
    const root = await mkdtemp(join(tmpdir(), 'cutout-scratch-'));
    const dirs: string[] = [];
    const scratch = {
      makeDir: async (label: string) => {
        const dir = await mkdtemp(join(root, `${label}-`));
        dirs.push(dir);
        return dir;
      },
      remove: (dir: string) => rm(dir, { recursive: true, force: true }),
    };
    try {
      const outcome = await processFile(
        { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'video' },
        {
          repo,
          inputs,
          outputs,
          clock,
          scratch,
          processors: {
            video: async (inputPath, options, ctx) => {
              expect(inputPath.endsWith('.mp4')).toBe(true);
              expect(await readFile(inputPath)).toEqual(Buffer.from([1, 2]));
              expect(ctx.backgroundPath?.endsWith('sky.jpg')).toBe(true);
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
        },
      );
      expect(outcome).toMatchObject({ outcome: 'done', outputKey: `jobs/${JOB_ID}/clip.mp4` });
      expect(outputs.objects.get(`jobs/${JOB_ID}/clip.mp4`)?.data).toEqual(
        new Uint8Array([4, 5, 6]),
      );
      expect((await repo.getFile(JOB_ID, '0000'))?.outputSize).toBe(3);
      expect(dirs.every((dir) => !existsSync(dir))).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
