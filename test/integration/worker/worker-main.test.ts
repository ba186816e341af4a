import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_ENV } from '../../../containers/worker/env.ts';
import {
  inlinePng,
  queueDepth,
  samplePng,
  startWorkerHarness,
  type WorkerHarness,
  waitFor,
  workerMainEnv,
} from './worker-harness.ts';

/**
 * The container entry point as ECS runs it: a separate process configured only by its
 * environment. SIGTERM while a file is in progress lets that file finish, then the process exits 0.
 */

let harness: WorkerHarness;

beforeAll(async () => {
  harness = await startWorkerHarness({ visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
});

afterAll(async () => {
  await harness?.stop();
});

describe('worker container entry (containers/worker/main.ts)', () => {
  it('processes a file, and on SIGTERM mid-file finishes it and exits 0', async () => {
    const env = workerMainEnv(harness, { [WORKER_ENV.drainSeconds]: '60' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'containers/worker/main.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    child.stdout
      .setEncoding('utf8')
      .on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk));
    const exited = once(child, 'exit');
    try {
      await waitFor(
        async () => ({ log: lines.join('\n'), exit: child.exitCode }),
        ({ log, exit }) => {
          if (exit !== null) throw new Error(`the worker exited with ${exit}`);
          return log.includes('"worker.started"');
        },
        'the worker to start',
        30_000,
      );
      expect(lines.join('\n')).toContain('"model.warm"');

      // Alpha matting on a larger image keeps the file in progress long enough to signal mid-file.
      const big = await samplePng(900, 700, 7);
      const jobId = await harness.createImageJob([inlinePng('big.png', big)], {
        alpha_matting: 'true',
      });
      await waitFor(
        async () => (await harness.files(jobId))[0]?.status,
        (s) => s !== 'queued',
        'the file to be claimed',
      );
      child.kill('SIGTERM');
      const [code] = await exited;
      const [file] = await harness.files(jobId);
      const log = lines.join('\n');
      console.log(
        `worker main: exit ${code}, file ${file?.status} after ${file?.attempts} attempt(s)`,
      );
      expect(code).toBe(0);
      expect(file?.status).toBe('done');
      expect(file?.attempts).toBe(1);
      expect(log).toContain('"worker.signal"');
      expect(log.indexOf('"file.done"')).toBeLessThan(log.indexOf('"worker.stopped"'));
      // The finished file's metrics reach stdout as one EMF record under the model that ran.
      const emf = lines.filter((line) => line.startsWith('{"_aws"')).map((l) => JSON.parse(l));
      expect(emf).toHaveLength(1);
      expect(emf[0]).toMatchObject({
        _aws: { CloudWatchMetrics: [{ Namespace: 'Cutout' }] },
        Kind: 'image',
        Model: 'tiny',
        FilesSucceeded: 1,
        FilesFailed: 0,
      });
      expect(queueDepth(harness, 'cutout-image')).toBe(0);
    } catch (error) {
      console.log(lines.join('\n'));
      throw error;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
