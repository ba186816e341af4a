import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_ENV } from '../../../containers/worker/env.ts';
import { startLiveness } from '../../../containers/worker/liveness.ts';
import { WORKER_HEALTH_COMMAND } from '../../../infra/constructs/queue-worker.ts';
import {
  inlinePng,
  samplePng,
  startImageWorker,
  startWorkerHarness,
  type WorkerHarness,
  waitFor,
  workerMainEnv,
} from './worker-harness.ts';

/**
 * The worker container's health check means "the consumer loop is alive": the real check
 * command from the task definition, run against the real liveness file, turns unhealthy when a
 * handler hangs past its limit or the event loop is blocked, and stays healthy otherwise.
 */

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const STALE_SECONDS = 2;

let harness: WorkerHarness;
let dir: string;

beforeAll(async () => {
  harness = await startWorkerHarness({ visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
  dir = await mkdtemp(join(tmpdir(), 'cutout-liveness-'));
});

afterAll(async () => {
  await harness?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the task definition's health check command (after "CMD") in the repository, as ECS would in the image. */
async function healthCheck(file: string | undefined): Promise<{ code: number; out: string }> {
  const [, binary, ...args] = WORKER_HEALTH_COMMAND;
  expect(binary).toBe('node');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    [WORKER_ENV.livenessStaleSeconds]: String(STALE_SECONDS),
  };
  if (file) env[WORKER_ENV.livenessFile] = file;
  return run(process.execPath, args, { cwd: REPO, env }).then(
    ({ stdout }) => ({ code: 0, out: stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, out: error.stdout }),
  );
}

const untilUnhealthy = (file: string) =>
  waitFor(
    () => healthCheck(file),
    (result) => result.code !== 0,
    'the health check to fail',
    30_000,
  );

describe('worker liveness and the container health check', () => {
  it('fails when no liveness file is configured or it was never written', async () => {
    expect(await healthCheck(undefined)).toMatchObject({ code: 1 });
    expect(await healthCheck(join(dir, 'never-written'))).toMatchObject({ code: 1 });
  });

  it('goes unhealthy when a handler of the real consumer loop hangs past its limit', async () => {
    const file = join(dir, 'hung.alive');
    const liveness = startLiveness({
      file,
      staleMs: STALE_SECONDS * 1000,
      handlerLimitMs: () => 1_000,
    });
    let started = 0;
    const worker = startImageWorker(harness, {
      heartbeatSeconds: 10,
      // A handler that ignores its deadline and never returns.
      process: liveness.watch(() => {
        started++;
        return new Promise(() => undefined);
      }),
    });
    try {
      expect(await healthCheck(file)).toMatchObject({ code: 0 });
      await harness.createImageJob([inlinePng('stuck.png', await samplePng(16, 16, 1))]);
      await waitFor(
        async () => started,
        (n) => n > 0,
        'the handler to start',
      );
      const verdict = await untilUnhealthy(file);
      expect(verdict.code).toBe(1);
      expect(verdict.out).toMatch(/^unhealthy: .* s old/);
    } finally {
      worker.kill();
      liveness.stop();
    }
  });

  it('stays healthy while the loop is idle, past several stale windows', async () => {
    const file = join(dir, 'idle.alive');
    const liveness = startLiveness({
      file,
      staleMs: STALE_SECONDS * 1000,
      handlerLimitMs: () => 1_000,
    });
    try {
      await new Promise((r) => setTimeout(r, STALE_SECONDS * 2_500));
      expect(await healthCheck(file)).toMatchObject({ code: 0 });
    } finally {
      liveness.stop();
    }
  });

  it('goes unhealthy when the event loop is blocked', async () => {
    const file = join(dir, 'blocked.alive');
    const script = [
      `import { startLiveness } from ${JSON.stringify(join(REPO, 'containers/worker/liveness.ts'))};`,
      `startLiveness({ file: ${JSON.stringify(file)}, staleMs: ${STALE_SECONDS * 1000}, handlerLimitMs: () => 60000 });`,
      'process.stdout.write("started\\n");',
      // Blocks the event loop (a synchronous wait), as a runaway computation would.
      'setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000), 200);',
    ].join('\n');
    const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await once(child.stdout as NodeJS.ReadableStream, 'data');
      await waitFor(
        () => healthCheck(file),
        (r) => r.code === 0,
        'the first beat',
        10_000,
      );
      const verdict = await untilUnhealthy(file);
      expect(verdict.code).toBe(1);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('the container entry keeps the file fresh once its consumer loop runs', async () => {
    const file = join(dir, 'main.alive');
    const env = workerMainEnv(harness, {
      [WORKER_ENV.livenessFile]: file,
      [WORKER_ENV.livenessStaleSeconds]: String(STALE_SECONDS),
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'containers/worker/main.ts'], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
    });
    try {
      await waitFor(
        async () => log,
        (text) => text.includes('"worker.started"'),
        'the worker to start',
        60_000,
      );
      await new Promise((r) => setTimeout(r, STALE_SECONDS * 1_500));
      expect(await healthCheck(file)).toMatchObject({ code: 0 });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
