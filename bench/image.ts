/**
 * npm run bench:image [-- --data DIR --limit N --model ID --no-peer --no-write --no-held-out --race-rounds N --race-only]
 *
 * Quality (IoU of alpha >= 128 vs ground truth >= 128, MAE) and per-stage times of cutout's
 * image pipeline over a folder with images/ + alpha/ (default ../shared/data/eval), side by side
 * in the same process with @imgly/background-removal-node's own removeBackground on the same
 * weights (its 'medium' model = our isnet-imgly, fp16). Writes docs/benchmarks.md (section image).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { removeBackground as peerRemoveBackground } from '@imgly/background-removal-node';
import { modelSettingsFromEnv } from '../adapters/models/model-env.ts';
import { createSegmenterProvider } from '../adapters/onnx/segmenter-provider.ts';
import { parseImageOptions } from '../core/params/convert-params.ts';
import { decodeImage } from '../core/pipeline/decode-image.ts';
import { DEFAULT_MAX_PIXELS } from '../core/pipeline/limits.ts';
import { removeBackground, type StageTimings } from '../core/pipeline/remove-background.ts';
import { maskIoU, maskMAE, readAlpha, readGray } from '../test/support/image-assert.ts';
import { machineDescription, writeBenchmarkSection } from './support/benchmarks-doc.ts';
import { runCliFolderRace } from './support/cli-folder-race.ts';
import { heldOutFrames } from './support/held-out-frames.ts';
import { type RefineRow, refineReport, scoreSteps } from './support/refine-report.ts';

const REPO = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(REPO, '../shared/data/eval') },
    limit: { type: 'string' },
    model: { type: 'string', default: 'isnet-imgly' },
    'no-peer': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    // The held-out video frames (bench/support/held-out-frames.ts); skipped with --limit too.
    'no-held-out': { type: 'boolean', default: false },
    // The whole-CLI-process race (bench/support/cli-folder-race.ts): rounds, 0 skips it.
    'race-rounds': { type: 'string', default: '3' },
    'race-only': { type: 'boolean', default: false },
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
  readonly refine: RefineRow;
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

  const optionsRefined = parseImageOptions({ refine: 'true' });
  // Interleaved per image: the machine is shared, so all sides see the same load. Without and
  // with refine swap order every image, so neither always runs on a warmer cache.
  const measure = async (pair: { name: string; image: string; alpha: string }, i: number) => {
    const bytes = await readFile(pair.image);
    const truth = await readGray(pair.alpha);
    const runOurs = async (opts: typeof options) => {
      const start = performance.now();
      const out = await removeBackground(
        { image: bytes, options: opts, fileName: pair.name },
        { segmenter },
      );
      const wallMs = performance.now() - start;
      const alpha = await readAlpha(out.data);
      return { out, alpha, wallMs };
    };
    const plainFirst = i % 2 === 0;
    const a = await runOurs(plainFirst ? options : optionsRefined);
    const b = await runOurs(plainFirst ? optionsRefined : options);
    const plain = plainFirst ? a : b;
    const refined = plainFirst ? b : a;
    const ours = {
      iou: maskIoU(plain.alpha, truth),
      mae: maskMAE(plain.alpha, truth),
      wallMs: plain.wallMs,
      timings: plain.out.timings,
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
    const { rgb } = await decodeImage(bytes, { maxPixels: DEFAULT_MAX_PIXELS, label: pair.name });
    const refine: RefineRow = {
      name: pair.name,
      plain: { iou: ours.iou, mae: ours.mae, wallMs: plain.wallMs },
      refined: {
        iou: maskIoU(refined.alpha, truth),
        mae: maskMAE(refined.alpha, truth),
        wallMs: refined.wallMs,
      },
      peer,
      steps: scoreSteps(rgb, plain.alpha, truth),
    };
    process.stderr.write(
      `${pair.name}: ours ${ms(plain.wallMs)} ms, refine ${ms(refined.wallMs)} ms${peer ? `, peer ${ms(peer.wallMs)} ms` : ''}\n`,
    );
    return { name: pair.name, size: `${truth.width}x${truth.height}`, ours, peer, refine };
  };
  const rows: Row[] = [];
  for (const [i, pair] of pairs.entries()) rows.push(await measure(pair, i));
  const heldOut: Row[] = [];
  if (!args['no-held-out'] && limit === undefined) {
    const scratch = await mkdtemp(join(tmpdir(), 'cutout-bench-frames-'));
    try {
      const frames = await heldOutFrames(args.data, scratch, new Set(pairs.map((p) => p.name)));
      for (const [i, pair] of frames.entries()) heldOut.push(await measure(pair, i));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
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
  const refineMarkdown = refineReport([
    { title: 'data/eval', rows: rows.map((r) => r.refine) },
    ...(heldOut.length > 0 ? [{ title: 'held-out', rows: heldOut.map((r) => r.refine) }] : []),
  ]);
  process.stdout.write(`${markdown}\n\n${refineMarkdown}\n`);
  if (!args['no-write']) {
    await writeBenchmarkSection('image', `${markdown}\n\n${refineMarkdown}`);
  }
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
    '| image | size | IoU | MAE | wall | decode | pre | inference | post | encode | refine IoU | refine MAE | refine wall | peer IoU | peer MAE | peer wall |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const t = r.ours.timings;
      const p = r.peer;
      return `| ${r.name} | ${r.size} | ${f3(r.ours.iou)} | ${f3(r.ours.mae)} | ${ms(r.ours.wallMs)} | ${ms(t.decodeMs)} | ${ms(t.preprocessMs)} | ${ms(t.inferenceMs)} | ${ms(t.postprocessMs)} | ${ms(t.encodeMs)} | ${f3(r.refine.refined.iou)} | ${f3(r.refine.refined.mae)} | ${ms(r.refine.refined.wallMs)} | ${p ? f3(p.iou) : '-'} | ${p ? f3(p.mae) : '-'} | ${p ? ms(p.wallMs) : '-'} |`;
    }),
    `| **mean** | | **${f3(oursIoU)}** | **${f3(oursMAE)}** | **${ms(oursWall)}** | ${ms(stage('decodeMs'))} | ${ms(stage('preprocessMs'))} | ${ms(inference)} | ${ms(stage('postprocessMs'))} | ${ms(stage('encodeMs'))} | **${f3(mean(rows.map((r) => r.refine.refined.iou)))}** | **${f3(mean(rows.map((r) => r.refine.refined.mae)))}** | **${ms(mean(rows.map((r) => r.refine.refined.wallMs)))}** | **${f3(peerIoU)}** | **${f3(peerMAE)}** | **${ms(peerWall)}** |`,
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

if (!args['race-only']) await main();
if (Number(args['race-rounds']) > 0 && !args['no-peer']) {
  const race = await runCliFolderRace({
    data: args.data,
    images: 10,
    rounds: Number(args['race-rounds']),
    model: args.model,
  });
  process.stdout.write(`${race}\n`);
  if (!args['no-write']) await writeBenchmarkSection('image-cli', race);
}
