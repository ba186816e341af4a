import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFfmpegCodec } from '../../../adapters/ffmpeg/ffmpeg-codec.ts';
import {
  createSegmenterProvider,
  type OnnxSegmenterProvider,
} from '../../../adapters/onnx/segmenter-provider.ts';
import { createVideoProcessor } from '../../../containers/worker/processors.ts';
import { processFile } from '../../../core/jobs/process-file.ts';
import type { Segmenter } from '../../../core/ports.ts';
import { ffmpegChildPids, isAlive } from '../../support/child-processes.ts';
import { createMemoryJob, inlinePart, memoryJobPorts } from '../../support/memory-jobs.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';
import { makeClip } from '../../support/video-fixtures.ts';

/**
 * The worker's video deadline, end to end below the queue: processFile with the real video
 * processor, real ffmpeg and the tiny ONNX model. An inference that never returns holds the
 * file until its deadline; then the file fails with DEADLINE_EXCEEDED, both ffmpeg processes are
 * gone and the scratch folder with the partial output is removed.
 */

const JOB_ID = '11111111-2222-4333-8444-666666666666';

let root: string;
let provider: OnnxSegmenterProvider;
let clip: Uint8Array;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cutout-video-deadline-'));
  await tinyModelPath();
  provider = createSegmenterProvider(tinyModelSettings());
  await makeClip(join(root, 'clip.mp4'), { seconds: 4 });
  clip = await readFile(join(root, 'clip.mp4'));
});

afterAll(async () => {
  await provider?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('video deadline with real ffmpeg', () => {
  it('fails the file at its deadline, leaving no ffmpeg process and no scratch files', async () => {
    const ports = memoryJobPorts();
    const { repo, inputs, outputs, clock } = ports;
    await createMemoryJob(
      ports,
      {
        fields: { convert_to: 'video-backgroundremover', video_format: 'mov' },
        files: [inlinePart('clip.mp4', 'video/mp4', clip)],
      },
      { jobId: JOB_ID },
    );
    const tiny = await provider.get('u2net');
    let running: number[] = [];
    // The first inference never returns, as a wedged runtime would.
    const stuck: Segmenter = {
      spec: tiny.spec,
      maxBatch: tiny.maxBatch,
      infer: () => {
        running = ffmpegChildPids();
        return new Promise(() => undefined);
      },
    };
    const scratch = join(root, 'scratch');
    const dirs: string[] = [];
    const outcome = await processFile(
      { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'video' },
      {
        repo,
        inputs,
        outputs,
        clock,
        videoDeadlineMs: 5_000,
        scratch: {
          makeDir: async (label) => {
            const dir = join(scratch, label);
            dirs.push(dir);
            await mkdir(dir, { recursive: true });
            return dir;
          },
          remove: (dir) => rm(dir, { recursive: true, force: true }),
        },
        processors: {
          video: createVideoProcessor({ get: async () => stuck }, createFfmpegCodec()),
        },
      },
    );
    expect(outcome).toMatchObject({
      outcome: 'failed',
      code: 'DEADLINE_EXCEEDED',
      error: 'clip.mp4: did not finish within 5 s (the video deadline)',
    });
    // Decoder and encoder were running when inference stuck, and are gone now.
    expect(running).toHaveLength(2);
    expect(running.filter(isAlive)).toEqual([]);
    expect(ffmpegChildPids()).toEqual([]);
    expect(dirs).toHaveLength(1);
    expect(dirs.every((dir) => !existsSync(dir))).toBe(true);
    expect(await readdir(scratch)).toEqual([]);
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({ status: 'failed', leaseUntil: 0 });
  });
});
