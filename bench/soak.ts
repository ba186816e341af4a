/**
 * `npm run bench:soak`: `npm start` as a long-running server. Thousands of jobs through the
 * real HTTP API (submit, poll /v1/results, download the PNG) at a steady concurrency, against
 * a local stack in this process with the generated tiny model serving u2net (so inference
 * costs nothing and the stack itself is what is measured). Prints RSS and heap as it goes,
 * throughput, p50/p95 end-to-end latency, files lost and processed twice, the data folder's
 * disk use before, after, and after expiry (a sweep with a clock past the job TTL); writes
 * the figures to docs/benchmarks.md.
 *
 * SOAK_JOBS (default 3000), SOAK_CONCURRENCY (16), SOAK_WORKERS (1), SOAK_SOLO_JOBS (50, run
 * one at a time after the rest, for latency without queueing), SOAK_EVERY (250: the
 * sampling interval in jobs), SOAK_FRONT_DOOR (streaming | lambda), SOAK_DATA_DIR (as
 * `--data-dir`: queues persisted too; default a temporary folder). The verdict: RSS flat
 * within 10 % from 500 jobs to the end, nothing lost or duplicated, and after expiry the data
 * folder back at its start size give or take 1 % of what the jobs stored (at least 1 MB).
 */
import type { SpyMessage } from 'fauxqs';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { silentLog } from '../adapters/observability/log.ts';
import { DEFAULT_JOB_TTL_DAYS } from '../core/config/resources.ts';
import { describeSize, folderBytes } from '../local/disk-budget.ts';
import { FRONT_DOORS, type FrontDoor } from '../local/front-door.ts';
import { startLocalStack } from '../local/local-stack.ts';
import { tinyModelSettings } from '../test/integration/worker/worker-harness.ts';
import { forcedGc } from '../test/support/forced-gc.ts';
import { type RoundTrip, roundTrip } from '../test/support/job-round-trip.ts';
import { machineDescription, writeBenchmarkSection } from './support/benchmarks-doc.ts';

const JOBS = Number(process.env.SOAK_JOBS ?? 3000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 1);
const EVERY = Number(process.env.SOAK_EVERY ?? 250);
const DOOR = (process.env.SOAK_FRONT_DOOR ?? 'streaming') as FrontDoor;
const DATA_DIR = process.env.SOAK_DATA_DIR || undefined;
/** RSS is compared from here on: the first jobs load code paths and fill pools. */
const WARM_JOBS = 500;
const SOLO_JOBS = Number(process.env.SOAK_SOLO_JOBS ?? 50);
const DAY_MS = 86_400_000;

interface Sample {
  readonly jobs: number;
  readonly seconds: number;
  readonly rssMb: number;
  readonly heapMb: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;

/** An 854x480 photo-sized JPEG (~85 kB): a gradient with noise, which JPEG cannot flatten. */
async function photo(): Promise<Uint8Array<ArrayBuffer>> {
  const width = 854;
  const height = 480;
  const raw = Buffer.alloc(width * height * 3);
  let seed = 7;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    const pixel = Math.floor(i / 3);
    raw[i] = (((pixel % width) + Math.floor(pixel / width)) & 255) ^ (seed % 24);
  }
  return new Uint8Array(
    await sharp(raw, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 85 })
      .toBuffer(),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  if (!FRONT_DOORS.includes(DOOR)) throw new Error(`SOAK_FRONT_DOOR: one of ${FRONT_DOORS}`);
  const gc = forcedGc();
  const stack = await startLocalStack({
    port: 0,
    workers: WORKERS,
    models: await tinyModelSettings(),
    warmupModel: 'u2net',
    video: false,
    env: process.env,
    frontDoor: DOOR,
    ...(DATA_DIR ? { dataDir: DATA_DIR } : {}),
    log: silentLog,
    metrics: () => undefined,
    // Expiry is the bench's to trigger, with a clock past the TTL.
    sweepIntervalMs: 0,
    // The bench measures memory, not the budget: nothing refused.
    diskBudgetBytes: 0,
  });
  const outputWrites = new Map<string, number>();
  const spy = stack.emulators.fauxqs.spy as unknown as { addMessage(m: SpyMessage): void };
  const record = spy.addMessage.bind(spy);
  spy.addMessage = (m) => {
    record(m);
    if (
      m.service === 's3' &&
      m.status === 'uploaded' &&
      m.bucket === stack.emulators.resources.outputBucket
    ) {
      outputWrites.set(m.key, (outputWrites.get(m.key) ?? 0) + 1);
    }
  };

  const file = await photo();
  const diskStart = await folderBytes(stack.dataDir);
  const samples: Sample[] = [];
  const started = performance.now();
  const sample = (jobs: number) => {
    gc();
    const usage = process.memoryUsage();
    const s = {
      jobs,
      seconds: (performance.now() - started) / 1000,
      rssMb: mb(usage.rss),
      heapMb: mb(usage.heapUsed),
    };
    samples.push(s);
    console.log(
      `jobs ${String(jobs).padStart(5)}  ${s.seconds.toFixed(0).padStart(5)} s  RSS ${s.rssMb.toFixed(0)} MB  heap ${s.heapMb.toFixed(1)} MB`,
    );
  };
  console.log(
    `soak: ${JOBS} jobs, ${CONCURRENCY} clients, ${WORKERS} worker(s), ${DOOR} door, ${file.byteLength} byte JPEG; data ${stack.dataDir}`,
  );
  sample(0);

  const limit = pLimit(CONCURRENCY);
  const trips: (RoundTrip | Error)[] = [];
  let done = 0;
  await Promise.all(
    Array.from({ length: JOBS }, (_, i) =>
      limit(async () => {
        const trip = await roundTrip({
          url: stack.url,
          apiKey: stack.apiKey,
          file,
          name: `soak-${i}.jpg`,
          type: 'image/jpeg',
          limitMs: 600_000,
        }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
        trips.push(trip);
        done += 1;
        if (done % EVERY === 0) sample(done);
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  if (samples.at(-1)?.jobs !== JOBS) sample(JOBS);
  await stack.emulators.uploadsSettled();

  // Latency without queueing: one client at a time (counted with the rest for lost/twice).
  const solo: number[] = [];
  for (let i = 0; i < SOLO_JOBS; i++) {
    const trip = await roundTrip({
      url: stack.url,
      apiKey: stack.apiKey,
      file,
      name: `solo-${i}.jpg`,
      type: 'image/jpeg',
      pollMs: 20,
    }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    trips.push(trip);
    if (!(trip instanceof Error)) solo.push(trip.ms);
  }
  solo.sort((a, b) => a - b);
  await stack.emulators.uploadsSettled();

  const ok = trips.filter((t): t is RoundTrip => !(t instanceof Error) && t.files === 1);
  const errors = trips.filter((t): t is Error => t instanceof Error);
  const lost = JOBS + SOLO_JOBS - ok.length;
  const duplicated = [...outputWrites.values()].filter((n) => n > 1).length;
  const latencies = ok.map((t) => t.ms).sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  const diskAfter = await folderBytes(stack.dataDir);
  const swept = await stack.sweep(Date.now() + (DEFAULT_JOB_TTL_DAYS + 1) * DAY_MS);
  const diskExpired = await folderBytes(stack.dataDir);
  await stack.stop();

  const warm = samples.find((s) => s.jobs >= Math.min(WARM_JOBS, JOBS));
  const last = samples.at(-1);
  const drift = warm && last ? (last.rssMb - warm.rssMb) / warm.rssMb : 0;
  const maxRss = Math.max(
    ...samples.filter((s) => s.jobs >= (warm?.jobs ?? 0)).map((s) => s.rssMb),
  );
  const flat = warm !== undefined && (maxRss - warm.rssMb) / warm.rssMb <= 0.1;
  // What expiry cannot take back at once: LevelDB's deletion records until it compacts.
  const backNear = diskExpired - diskStart <= Math.max(1e6, (diskAfter - diskStart) / 100);
  const pass = flat && lost === 0 && duplicated === 0 && backNear;

  for (const e of errors.slice(0, 5)) console.error(`error: ${e.message}`);
  const lines = [
    `throughput ${(JOBS / seconds).toFixed(1)} jobs/s over ${seconds.toFixed(0)} s; latency p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`,
    `one client at a time (${SOLO_JOBS} jobs): p50 ${percentile(solo, 50).toFixed(0)} ms, p95 ${percentile(solo, 95).toFixed(0)} ms`,
    `lost ${lost}, processed twice ${duplicated}`,
    `RSS ${warm?.rssMb.toFixed(0)} MB at ${warm?.jobs} jobs, ${last?.rssMb.toFixed(0)} MB at ${last?.jobs} (${(drift * 100).toFixed(1)} %), highest ${maxRss.toFixed(0)} MB`,
    `data folder ${describeSize(diskStart)} at start, ${describeSize(diskAfter)} after the jobs, ${describeSize(diskExpired)} after expiry (swept ${swept.items} items, ${swept.objects} objects)`,
  ];
  for (const line of lines) console.log(line);
  console.log(pass ? 'target met' : 'target NOT met');

  await writeBenchmarkSection(
    'soak',
    [
      '## Soak: `npm start` as a long-running server (`npm run bench:soak`)',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()}: ${JOBS} single-image jobs (an 854x480 JPEG of ${Math.round(file.byteLength / 1000)} kB) through the HTTP API of one local stack (${DOOR} front door, ${DATA_DIR ? '`--data-dir`' : 'temporary data folder'}, ${WORKERS} worker, the generated tiny model serving u2net), ${CONCURRENCY} clients at a time, each submitting, polling \`/v1/results\` and downloading its PNG. RSS and heap are the process's (stack and clients) after a forced GC. Expiry: one sweep with a clock ${DEFAULT_JOB_TTL_DAYS + 1} days ahead.`,
      '',
      'Before the fixes of issue 13 the same load (600 jobs, 16 clients, measured the same way on the same machine) grew by about 1.8 MB a job and never gave it back: RSS 224 MB at start, 1,314 MB after 600 jobs, every input and result held in memory and an unclosed LevelDB iterator left by every `/v1/results` poll ([docs/local.md](local.md#running-for-days-memory-expiry-disk-restarts)).',
      '',
      '| Jobs | Seconds | RSS (MB) | Heap (MB) |',
      '| ---: | ---: | ---: | ---: |',
      ...samples.map(
        (s) =>
          `| ${s.jobs} | ${s.seconds.toFixed(0)} | ${s.rssMb.toFixed(0)} | ${s.heapMb.toFixed(1)} |`,
      ),
      '',
      '| Figure | Value |',
      '| --- | --- |',
      `| Throughput | ${(JOBS / seconds).toFixed(1)} jobs/s |`,
      `| Latency, submit to downloaded, ${CONCURRENCY} clients (p50 / p95) | ${p50.toFixed(0)} ms / ${p95.toFixed(0)} ms |`,
      `| Latency, one client at a time, ${SOLO_JOBS} jobs (p50 / p95) | ${percentile(solo, 50).toFixed(0)} ms / ${percentile(solo, 95).toFixed(0)} ms |`,
      `| Files lost / processed twice | ${lost} / ${duplicated} |`,
      `| RSS from ${warm?.jobs} to ${last?.jobs} jobs | ${warm?.rssMb.toFixed(0)} MB -> ${last?.rssMb.toFixed(0)} MB (${(drift * 100).toFixed(1)} %; highest ${maxRss.toFixed(0)} MB) |`,
      `| Data folder: start / after the jobs / after expiry | ${describeSize(diskStart)} / ${describeSize(diskAfter)} / ${describeSize(diskExpired)} |`,
      `| Target met (RSS within 10 %, nothing lost or twice, folder back near its start) | ${pass ? 'yes' : '**no**'} |`,
    ].join('\n'),
  );
  process.exit(pass ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
