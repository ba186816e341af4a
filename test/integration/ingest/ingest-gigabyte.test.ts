import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobRepository } from '../../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../../adapters/aws/s3-object-store.ts';
import { INGEST_ENV, INGEST_HEALTH_PATH } from '../../../containers/ingest/env.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import {
  closing,
  fieldsPart,
  fileHead,
  MULTIPART_TYPE,
  postParts,
  rawPost,
  syntheticVideo,
} from '../../support/multipart-stream.ts';
import { makeClip } from '../../support/video-fixtures.ts';
import { startTestStack, waitFinished } from '../local/local-stack-harness.ts';

/**
 * The ingest container's entry point (containers/ingest/main.ts) as ECS runs it, in a process
 * of its own configured only by its environment, against the emulators of a local stack in this
 * process (whose workers finish the jobs). The test process holds what fauxqs stores (it keeps
 * multipart parts in memory, about twice the upload), so the service's own memory is measured
 * apart from it: a gigabyte streams through with the service's peak RSS barely moving.
 */

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
let stack: LocalStack;
let child: ChildProcess;
let output = '';
let url: string;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack({ video: true, workers: 1 });
  dir = await mkdtemp(join(tmpdir(), 'cutout-ingest-gib-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'containers/ingest/main.ts'], {
    env: {
      PATH: process.env.PATH,
      ...stack.emulators.env(),
      [INGEST_ENV.port]: '0',
      [INGEST_ENV.host]: '127.0.0.1',
      [INGEST_ENV.drainSeconds]: '30',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  const end = Date.now() + 60_000;
  for (;;) {
    const port = /"msg":"ingest\.started".*?"port":(\d+)/.exec(output)?.[1];
    if (port) {
      url = `http://127.0.0.1:${port}`;
      break;
    }
    if (child.exitCode !== null || Date.now() > end) {
      throw new Error(`the ingest service did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The child's peak resident set so far (VmHWM), in bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

function videoParts(name: string, bytes: Iterable<Buffer>): Iterable<Buffer> {
  return [
    fieldsPart([['lang', 'en']]),
    fileHead({ field: 'files', filename: name, contentType: 'video/mp4' }),
    ...bytes,
    // The seed's field order is not fixed: convert_to after the file.
    closing([['convert_to', 'video-backgroundremover']]),
  ];
}

function* lazyVideoParts(name: string, total: number): Generator<Buffer> {
  yield fieldsPart([['lang', 'en']]);
  yield fileHead({ field: 'files', filename: name, contentType: 'video/mp4' });
  yield* syntheticVideo(total);
  yield closing([['convert_to', 'video-backgroundremover']]);
}

describe('the ingest service process (containers/ingest/main.ts)', () => {
  it('converts a real clip end to end, then streams 1 GiB to S3 with flat memory', async () => {
    const pid = child.pid ?? 0;
    // A real small clip through the service: a worker of the stack finishes it.
    const clip = join(dir, 'clip.mp4');
    await makeClip(clip, { width: 64, height: 48, fps: 10, seconds: 1 });
    const small = await postParts(
      `${url}/v1/convert/`,
      { authorization: stack.apiKey },
      videoParts('clip.mp4', [await readFile(clip)]),
    );
    expect(small.status, small.body).toBe(200);
    const { uuid: clipJob } = JSON.parse(small.body) as { uuid: string };
    const done = await waitFinished(stack, clipJob, 90_000);
    expect(done.failed).toEqual([]);
    expect(done.files.map((f) => f.filename)).toEqual(['clip.mov']);
    const results = await fetch(`${url}/v1/results/`, {
      method: 'POST',
      body: new URLSearchParams({ uuid: clipJob }),
    });
    expect(await results.json()).toMatchObject({ finished: true });

    // The synthetic uploads are not real videos: no worker should spend time failing them.
    await Promise.all(stack.workers.map((w) => w.stop()));
    // Warm-up: one upload of several S3 parts, so the baseline has every buffer in use once.
    const warm = await postParts(
      `${url}/v1/convert/`,
      { authorization: stack.apiKey },
      lazyVideoParts('warm.mp4', 32 * MIB),
    );
    expect(warm.status, warm.body).toBe(200);
    const baseline = await peakRss(pid);

    const big = await postParts(
      `${url}/v1/convert/`,
      { authorization: stack.apiKey },
      lazyVideoParts('big.mp4', GIB),
    );
    expect(big.status, big.body).toBe(200);
    const after = await peakRss(pid);
    const { uuid } = JSON.parse(big.body) as { uuid: string };
    const job = await fetch(`${url}/v1/results/`, {
      method: 'POST',
      body: new URLSearchParams({ uuid }),
    });
    expect(await job.json()).toMatchObject({ finished: false, queue_count: 1 });
    const inputs = new S3ObjectStore(
      stack.clients.s3,
      stack.clients.s3Presign,
      stack.emulators.resources.inputBucket,
    );
    const repo = new DynamoJobRepository(stack.clients.dynamo, stack.emulators.resources.jobsTable);
    const record = await repo.getJob(uuid);
    expect(record?.files.map((f) => [f.inputName, f.size, f.status])).toEqual([
      ['big.mp4', GIB, 'queued'],
    ]);
    const object = await inputs.head(record?.files[0]?.inputKey ?? '');
    expect(object?.size).toBe(GIB);

    const growth = after - baseline;
    console.log(
      `ingest 1 GiB: service peak RSS ${(baseline / MIB).toFixed(1)} MiB after warm-up, ` +
        `${(after / MIB).toFixed(1)} MiB after 1 GiB: growth ${(growth / MIB).toFixed(1)} MiB`,
    );
    expect(growth).toBeLessThan(64 * MIB);
  }, 600_000);

  it('on SIGTERM stops taking connections, finishes the upload in flight, and exits 0', async () => {
    const post = rawPost(`${url}/v1/convert/`, {
      'content-type': MULTIPART_TYPE,
      authorization: stack.apiKey,
    });
    await post.write(fieldsPart([['convert_to', 'video-backgroundremover']]));
    await post.write(fileHead({ field: 'files', filename: 'late.mp4', contentType: 'video/mp4' }));
    const parts = syntheticVideo(8 * MIB);
    await post.write(parts.next().value as Buffer);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await waitForOutput('"ingest.signal"');
    // Draining: the health check fails so the load balancer sends no more.
    const health = await fetch(`${url}${INGEST_HEALTH_PATH}`).then(
      (r) => r.status,
      () => 0,
    );
    expect([0, 503]).toContain(health);
    for (const chunk of parts) await post.write(chunk);
    await post.write(closing());
    post.end();
    const reply = await post.reply;
    expect(reply.status, reply.body).toBe(200);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(output).toContain('"ingest.stopped"');
    expect(output).toMatch(/"msg":"ingest\.stopped".*"cut":0/);
  }, 120_000);
});

async function waitForOutput(text: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!output.includes(text)) {
    if (Date.now() > end) throw new Error(`no ${text} in:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
