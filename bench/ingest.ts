/**
 * Upload throughput of the streaming front door (npm run bench:ingest): the same synthetic
 * video bytes sent (a) as the seed's multipart POST through the ingest service, run as its own
 * process (containers/ingest/main.ts) as on Fargate, and (b) straight to the S3 emulator with a
 * plain lib-storage upload, alternately, and the service's peak memory (VmHWM) growth over the
 * run. Both land in the same emulator in this process; writes a section of docs/benchmarks.md.
 *
 *   npm run bench:ingest [-- --mib 512 --rounds 2]
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Command } from 'commander';
import { createAwsClients } from '../adapters/aws/clients.ts';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store.ts';
import { INGEST_ENV } from '../containers/ingest/env.ts';
import { createApiKey } from '../core/jobs/api-keys.ts';
import { startEmulators } from '../local/emulators.ts';
import {
  closing,
  fieldsPart,
  fileHead,
  postParts,
  syntheticVideo,
} from '../test/support/multipart-stream.ts';
import { machineDescription, writeBenchmarkSection } from './support/benchmarks-doc.ts';

const MIB = 1024 * 1024;

const options = new Command('bench:ingest')
  .option('--mib <n>', 'upload size in MiB', (v) => Number(v), 512)
  .option('--rounds <n>', 'uploads of each kind', (v) => Number(v), 2)
  .parse(process.argv)
  .opts<{ mib: number; rounds: number }>();

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

function* postBody(bytes: number): Generator<Buffer> {
  yield fieldsPart([['convert_to', 'video-backgroundremover']]);
  yield fileHead({ field: 'files', filename: 'bench.mp4', contentType: 'video/mp4' });
  yield* syntheticVideo(bytes);
  yield closing();
}

async function main(): Promise<void> {
  const bytes = options.mib * MIB;
  const emulators = await startEmulators();
  const env = emulators.env();
  const clients = createAwsClients({
    region: emulators.region,
    endpoints: emulators.endpoints,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  const bucket = emulators.resources.inputBucket;
  const { key } = await createApiKey(
    { name: 'bench' },
    { keys: new DynamoKeyStore(clients.dynamo, emulators.resources.keysTable) },
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'containers/ingest/main.ts'], {
    env: {
      PATH: process.env.PATH,
      ...env,
      [INGEST_ENV.port]: '0',
      [INGEST_ENV.host]: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  let port: string | undefined;
  for (let i = 0; i < 600 && !port; i++) {
    port = /"msg":"ingest\.started".*?"port":(\d+)/.exec(output)?.[1];
    if (!port) await new Promise((r) => setTimeout(r, 100));
  }
  if (!port) throw new Error(`the ingest service did not start:\n${output}`);
  const url = `http://127.0.0.1:${port}/v1/convert/`;
  const pid = child.pid ?? 0;

  const emptyBucket = async () => {
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const o of listed.Contents ?? []) {
      await clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
    }
  };
  const throughService = async () => {
    const reply = await postParts(url, { authorization: key }, postBody(bytes));
    if (reply.status !== 200) throw new Error(`service: HTTP ${reply.status} ${reply.body}`);
  };
  const direct = async () => {
    // lib-storage's defaults (5 MiB parts, 4 in flight), as a plain SDK upload would run.
    await new Upload({
      client: clients.s3,
      params: {
        Bucket: bucket,
        Key: 'bench/direct.mp4',
        Body: Readable.from(syntheticVideo(bytes)),
      },
    }).done();
  };
  const timed = async (run: () => Promise<void>) => {
    const started = performance.now();
    await run();
    const seconds = (performance.now() - started) / 1000;
    await emptyBucket();
    return bytes / MIB / seconds;
  };

  // Warm-up: one 32 MiB upload, so the baseline memory has every buffer in use once.
  await postParts(url, { authorization: key }, postBody(32 * MIB));
  await emptyBucket();
  const baseline = await peakRss(pid);
  const service: number[] = [];
  const plain: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    plain.push(await timed(direct));
    service.push(await timed(throughService));
    console.log(
      `round ${round + 1}: direct ${plain.at(-1)?.toFixed(0)} MiB/s, service ${service.at(-1)?.toFixed(0)} MiB/s`,
    );
  }
  const peak = await peakRss(pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  clients.s3.destroy();
  clients.dynamo.destroy();
  clients.sqs.destroy();
  await emulators.stop();

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = mean(service);
  const d = mean(plain);
  const growth = (peak - baseline) / MIB;
  console.log(
    `service ${s.toFixed(0)} MiB/s, direct ${d.toFixed(0)} MiB/s, ratio ${(s / d).toFixed(2)}; ` +
      `service peak RSS ${(peak / MIB).toFixed(0)} MiB (+${growth.toFixed(1)} MiB over the runs)`,
  );
  await writeBenchmarkSection(
    'ingest',
    [
      '## Streaming front door: upload throughput and memory',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()}, with \`npm run bench:ingest\`: ` +
        `${options.mib} MiB of synthetic video, ${options.rounds} uploads of each kind, alternating, into the S3 emulator (fauxqs) in the benchmark's process. ` +
        '"Through the service": the seed\'s multipart POST to the ingest service (containers/ingest/main.ts, its own process, as on Fargate), which streams the file part to S3 and creates the job. ' +
        '"Plain S3 upload": the same bytes with `@aws-sdk/lib-storage` and its defaults (5 MiB parts, 4 in flight). ' +
        "On loopback the emulator, not the network, is the bottleneck, so the ratio is the service's overhead (multipart parsing, one part in flight to bound memory), not a figure for AWS.",
      '',
      '| Path | Throughput (MiB/s, mean) | Runs (MiB/s) |',
      '| --- | ---: | --- |',
      `| Through the service | ${s.toFixed(0)} | ${service.map((x) => x.toFixed(0)).join(', ')} |`,
      `| Plain S3 upload | ${d.toFixed(0)} | ${plain.map((x) => x.toFixed(0)).join(', ')} |`,
      `| Ratio (service / plain) | ${(s / d).toFixed(2)} | |`,
      '',
      `Service peak memory (VmHWM): ${(baseline / MIB).toFixed(0)} MiB after a 32 MiB warm-up upload, ` +
        `${(peak / MIB).toFixed(0)} MiB after the runs: **+${growth.toFixed(1)} MiB** for ${options.rounds} x ${options.mib} MiB streamed.`,
    ].join('\n'),
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
