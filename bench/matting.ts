/**
 * `npm run bench:matting [-- --data <dir>] [--runs N] [--warmup N] [--only a,b]`: closed-form alpha +
 * multi-level foreground on the reference cases of <data>/matting (default ../shared/data),
 * compared with pymatting 1.1.15's outputs, and with its timings measured live in the same run
 * when `python3 -c "import pymatting"` works here (else the timings recorded with the outputs).
 * Each case runs in a fresh child process that reads raw pixels (no decoder in it), so its peak
 * RSS growth is the matting's own.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { estimateAlphaCf, type PreconditionerKind } from '../core/matting/closed-form-alpha.ts';
import { matteWithTrimap } from '../core/matting/matte-trimap.ts';
import { machineDescription, writeBenchmarkSection } from './support/benchmarks-doc.ts';

interface CaseFile {
  readonly image: string;
  readonly width: number;
  readonly height: number;
}

interface ChildReport {
  readonly unknownPixels: number;
  /** CPU ms of the first (cold) run, JIT compilation included. */
  readonly coldCpuMs: number;
  /**
   * Peak RSS growth of one warm run: the peak is reset (Linux clear_refs) after the warm-up and
   * a full GC, so this is what one matting call holds at once, without V8's one-off code and
   * heap set-up; undefined where the kernel does not allow the reset.
   */
  readonly warmGrowthBytes?: number;
  readonly alphaMs: number[];
  readonly foregroundMs: number[];
  /** CPU time (user + system) of each run: the machine is shared, wall time is not only ours. */
  readonly cpuMs: number[];
  readonly baselineRssKb: number;
  readonly peakRssKb: number;
}

interface PymattingRow {
  readonly size: string;
  readonly unknown: number;
  readonly cfS: number;
  readonly fgS: number;
  readonly rssMb: number;
}

/** Targets of issue 15, checked on every run. */
const TARGET_SPEED_UP = 5;
const TARGET_MAD = 0.01;
const TARGET_BYTES_PER_UNKNOWN = 200;

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/data') },
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '5' },
    /** Comma-separated case names (e.g. lemur,davis_dog_00059): a quick look, docs untouched. */
    only: { type: 'string' },
    child: { type: 'string' },
  },
});

if (values.child) {
  await runChild(values.child, Number(values.runs), Number(values.warmup));
} else {
  await runParent(
    path.join(values.data, 'matting'),
    Number(values.runs),
    Number(values.warmup),
    values.only?.split(','),
  );
}

/** RSS now and its peak since start (or since the last resetPeakRss), in bytes, from /proc. */
async function rssNow(): Promise<{ rss: number; peak: number } | undefined> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => undefined);
  const rss = status?.match(/VmRSS:\s+(\d+) kB/)?.[1];
  const peak = status?.match(/VmHWM:\s+(\d+) kB/)?.[1];
  return rss && peak ? { rss: Number(rss) * 1024, peak: Number(peak) * 1024 } : undefined;
}

/** Resets the kernel's peak-RSS mark (Linux: "5" into clear_refs); false where not allowed. */
async function resetPeakRss(): Promise<boolean> {
  return writeFile('/proc/self/clear_refs', '5').then(
    () => true,
    () => false,
  );
}

/**
 * One case, in its own process: read raw pixels, matte once cold, `warmup - 1` more times, then
 * `runs` measured times (pymatting's timings are likewise taken after numba's JIT warm-up).
 */
async function runChild(dir: string, runs: number, warmup: number): Promise<void> {
  const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as CaseFile;
  const rgb = new Uint8Array(await readFile(path.join(dir, 'image.rgb')));
  const tri = new Uint8Array(await readFile(path.join(dir, 'trimap.gray')));
  const image = { data: rgb, width: meta.width, height: meta.height };
  const trimap = { data: tri, width: meta.width, height: meta.height };
  const baselineRssKb = process.resourceUsage().maxRSS;
  const alphaMs: number[] = [];
  const foregroundMs: number[] = [];
  const cpuMs: number[] = [];
  let unknownPixels = 0;
  let peakRssKb = baselineRssKb;
  let coldCpuMs = 0;
  let warmGrowthBytes: number | undefined;
  const total = Math.max(1, warmup) + runs;
  for (let run = 0; run < total; run++) {
    const measured = run >= Math.max(1, warmup);
    const probe = measured && run === total - 1 ? await warmProbe() : undefined;
    const cpu = process.cpuUsage();
    const result = matteWithTrimap(image, trimap);
    const used = process.cpuUsage(cpu);
    const cpuRun = (used.user + used.system) / 1000;
    if (probe) {
      const after = await rssNow();
      if (after) warmGrowthBytes = Math.max(0, after.peak - probe.rss);
    }
    unknownPixels = result.timings.unknownPixels;
    if (run === 0) {
      coldCpuMs = cpuRun;
      peakRssKb = process.resourceUsage().maxRSS;
      await writeFile(path.join(dir, 'alpha.gray'), result.alpha.data);
      await writeFile(path.join(dir, 'fg.rgb'), result.foreground.data);
      alphaMs.push(result.timings.alphaMs);
      foregroundMs.push(result.timings.foregroundMs);
      cpuMs.push(cpuRun);
    } else if (measured) {
      alphaMs.push(result.timings.alphaMs);
      foregroundMs.push(result.timings.foregroundMs);
      cpuMs.push(cpuRun);
    }
  }
  const report: ChildReport = {
    unknownPixels,
    coldCpuMs,
    ...(warmGrowthBytes === undefined ? {} : { warmGrowthBytes }),
    alphaMs,
    foregroundMs,
    cpuMs,
    baselineRssKb,
    peakRssKb,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Before the last measured run: collect garbage, reset the peak-RSS mark, note RSS. */
async function warmProbe(): Promise<{ rss: number } | undefined> {
  const gc = (globalThis as { gc?: () => void }).gc;
  // V8 releases freed array buffers on a background thread: give it time before the baseline.
  for (let i = 0; i < 2; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!(await resetPeakRss())) return undefined;
  const now = await rssNow();
  return now ? { rss: now.rss } : undefined;
}

async function raw(file: string, channels: 1 | 3): Promise<{ data: Buffer; w: number; h: number }> {
  const img = sharp(file);
  const { data, info } = await (channels === 1 ? img.extractChannel(0) : img.removeAlpha())
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, w: info.width, h: info.height };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function readPymatting(dir: string): Promise<Map<string, PymattingRow>> {
  const csv = await readFile(path.join(dir, 'pymatting', 'timings.csv'), 'utf8');
  const rows = new Map<string, PymattingRow>();
  for (const line of csv.trim().split('\n').slice(1)) {
    const [image, size, unknown, cf, fg, rss] = line.split(',');
    rows.set(image as string, {
      size: size as string,
      unknown: Number(unknown),
      cfS: Number(cf),
      fgS: Number(fg),
      rssMb: Number(rss),
    });
  }
  return rows;
}

/**
 * pymatting timed here, in this run, on the case's PNGs: one warm-up call (numba compiles),
 * then the median of `runs` timed calls, as the recorded timings were taken. Undefined when
 * python3 cannot import pymatting.
 */
const PYMATTING_SCRIPT = `
import json, resource, sys, time
from pymatting import estimate_alpha_cf, estimate_foreground_ml, load_image
image = load_image(sys.argv[1], "RGB")
trimap = load_image(sys.argv[2], "GRAY")
runs = int(sys.argv[3])
alpha = estimate_alpha_cf(image, trimap)
estimate_foreground_ml(image, alpha)
cf, fg = [], []
for _ in range(runs):
    t0 = time.perf_counter()
    alpha = estimate_alpha_cf(image, trimap)
    t1 = time.perf_counter()
    estimate_foreground_ml(image, alpha)
    cf.append(t1 - t0)
    fg.append(time.perf_counter() - t1)
cf.sort()
fg.sort()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cf": cf[len(cf) // 2], "fg": fg[len(fg) // 2], "rss": rss}))
`;

function pymattingAvailable(): boolean {
  const probe = spawnSync('python3', ['-c', 'import pymatting'], { encoding: 'utf8' });
  return probe.status === 0;
}

function pymattingLive(image: string, trimap: string, ref: PymattingRow): PymattingRow {
  const run = spawnSync('python3', ['-c', PYMATTING_SCRIPT, image, trimap, '3'], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`pymatting on ${image}: ${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
    cf: number;
    fg: number;
    rss: number;
  };
  return { ...ref, cfS: out.cf, fgS: out.fg, rssMb: Math.round(out.rss) };
}

interface CaseResult {
  readonly stem: string;
  readonly size: string;
  readonly mad: number;
  readonly speedUpWall: number;
  readonly speedUpCpu: number;
  readonly bytesPerUnknownCold: number;
  readonly bytesPerUnknownWarm?: number;
}

async function runParent(
  dir: string,
  runs: number,
  warmup: number,
  only: readonly string[] | undefined,
): Promise<void> {
  const reference = await readPymatting(dir);
  const live = pymattingAvailable();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cutout-bench-matting-'));
  const lines: string[] = [];
  const results: CaseResult[] = [];
  const header =
    '| case | size | unknown px | MAD vs pymatting (unknown px) | SAD vs pymatting | max abs diff | foreground diff (0-255, soft px) | alpha ms | foreground ms | total ms (first run) | total CPU ms (first run) | pymatting total ms | speed-up (wall) | speed-up (CPU) | peak RSS growth, first run | B / unknown px, first run | B / unknown px, warm call | pymatting peak RSS |';
  lines.push(header, `|${'---|'.repeat(18)}`);
  try {
    for (const [imageName, recorded] of reference) {
      const stem = imageName.replace(/\.[a-z]+$/, '');
      if (only && !only.includes(stem)) continue;
      const caseDir = path.join(tmp, stem);
      const imagePath = path.join(dir, imageName);
      const trimapPath = path.join(dir, `${stem}_trimap.png`);
      const ref = live ? pymattingLive(imagePath, trimapPath, recorded) : recorded;
      const img = await raw(imagePath, 3);
      const tri = await raw(trimapPath, 1);
      await mkdir(caseDir, { recursive: true });
      await writeFile(path.join(caseDir, 'image.rgb'), img.data);
      await writeFile(path.join(caseDir, 'trimap.gray'), tri.data);
      await writeFile(
        path.join(caseDir, 'meta.json'),
        JSON.stringify({ image: imageName, width: img.w, height: img.h }),
      );
      const child = spawnSync(
        process.execPath,
        [
          '--expose-gc',
          ...process.execArgv,
          import.meta.filename,
          '--child',
          caseDir,
          '--runs',
          String(runs),
          '--warmup',
          String(warmup),
        ],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
          // A fixed mmap threshold: glibc otherwise raises it after the first large free and
          // keeps later freed arrays in its heap, where the warm run would reuse them unseen.
          env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072' },
        },
      );
      if (child.status !== 0) throw new Error(`${imageName}: ${child.stderr}`);
      const report = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as ChildReport;
      const alpha = await readFile(path.join(caseDir, 'alpha.gray'));
      const fg = await readFile(path.join(caseDir, 'fg.rgb'));
      const refAlpha = await raw(path.join(dir, 'pymatting', `${stem}_alpha.png`), 1);
      const refFg = await raw(path.join(dir, 'pymatting', `${stem}_foreground.png`), 3);

      let madSum = 0;
      let unknown = 0;
      let sad = 0;
      let maxDiff = 0;
      let fgSum = 0;
      let fgCount = 0;
      for (let i = 0; i < alpha.length; i++) {
        const d = Math.abs((alpha[i] as number) - (refAlpha.data[i] as number)) / 255;
        sad += d;
        maxDiff = Math.max(maxDiff, d);
        const t = tri.data[i] as number;
        if (t > 25 && t < 230) {
          madSum += d;
          unknown++;
        }
        const ra = refAlpha.data[i] as number;
        if (ra > 0 && ra < 255) {
          for (let c = 0; c < 3; c++) {
            fgSum += Math.abs((fg[i * 3 + c] as number) - (refFg.data[i * 3 + c] as number));
            fgCount++;
          }
        }
      }
      const warmA = report.alphaMs.length > 1 ? report.alphaMs.slice(1) : report.alphaMs;
      const warmF =
        report.foregroundMs.length > 1 ? report.foregroundMs.slice(1) : report.foregroundMs;
      const aMs = median(warmA);
      const fMs = median(warmF);
      const firstMs = (report.alphaMs[0] as number) + (report.foregroundMs[0] as number);
      const cpuMs = median(report.cpuMs.length > 1 ? report.cpuMs.slice(1) : report.cpuMs);
      const pyMs = (ref.cfS + ref.fgS) * 1000;
      const growth = Math.max(0, report.peakRssKb - report.baselineRssKb) * 1024;
      const mad = madSum / unknown;
      const warmBytes =
        report.warmGrowthBytes === undefined
          ? undefined
          : report.warmGrowthBytes / report.unknownPixels;
      results.push({
        stem,
        size: ref.size,
        mad,
        speedUpWall: pyMs / (aMs + fMs),
        speedUpCpu: pyMs / cpuMs,
        bytesPerUnknownCold: growth / report.unknownPixels,
        ...(warmBytes === undefined ? {} : { bytesPerUnknownWarm: warmBytes }),
      });
      lines.push(
        `| ${stem} | ${ref.size} | ${report.unknownPixels} | ${mad.toFixed(5)} | ${sad.toFixed(1)} | ${maxDiff.toFixed(3)} | ${(fgSum / fgCount).toFixed(2)} | ${aMs.toFixed(0)} | ${fMs.toFixed(0)} | ${(aMs + fMs).toFixed(0)} (${firstMs.toFixed(0)}) | ${cpuMs.toFixed(0)} (${report.coldCpuMs.toFixed(0)}) | ${pyMs.toFixed(0)} | ${(pyMs / (aMs + fMs)).toFixed(2)}x | ${(pyMs / cpuMs).toFixed(2)}x | ${(growth / 2 ** 20).toFixed(1)} MiB | ${(growth / report.unknownPixels).toFixed(0)} | ${warmBytes === undefined ? 'n/a' : warmBytes.toFixed(0)} | ${ref.rssMb} MB |`,
      );
      process.stdout.write(`${lines.at(-1)}\n`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const targets = targetLines(results);
  if (only) {
    process.stdout.write(`\n${targets.join('\n')}\n(--only: docs/benchmarks.md not written)\n`);
    return;
  }
  const grid = await solverGrid(dir);
  const load = os.loadavg()[0]?.toFixed(1) ?? '?';
  const source = live
    ? 'pymatting measured live in this run (python3 imports it): one warm-up call, then the median of 3'
    : "pymatting timings recorded with its outputs (`pymatting/timings.csv`; python3 here cannot import pymatting, and pip has no index to install it from): median of 3 after numba's JIT warm-up, on a 2-core AMD EPYC (Zen 4) VM with 24 GB, i.e. the same machine class as the one above";
  const markdown = [
    '## Alpha matting (`npm run bench:matting`)',
    '',
    `Machine: ${machineDescription()}; 1-minute load average at the end of the run: ${load}. Reference timings: ${source}.`,
    `Each case runs in its own process: one cold run (its total in brackets, JIT compilation included), ${Math.max(0, warmup - 1)} more warm-up runs, then ${runs} measured runs whose median is shown (wall, and CPU time of the process, which is what to read when the machine is shared; everything runs on one thread, so CPU time is also the wall time of a quiet machine). "Peak RSS growth, first run" is the child's peak RSS (getrusage maxrss) over the first run minus its RSS once the raw pixels are loaded, i.e. everything matting allocates plus V8's one-off code and heap set-up; "warm call" is the peak over the last measured run alone (the kernel's peak mark reset after a full GC), i.e. what one matting call in a running worker holds at once. pymatting's column is its whole process.`,
    'Alpha differences are in alpha units (0-1) against pymatting\'s 8-bit output (so 0.002 is half a grey level); SAD is summed over the whole image; "foreground diff" is the mean absolute difference of the 8-bit foreground colours over pixels pymatting gave a soft alpha.',
    '',
    ...lines,
    '',
    '### Targets (issue 15)',
    '',
    ...targets,
    '',
    '### Solver choice',
    '',
    'CG iterations (deterministic) and CPU time of the alpha solve alone, for the preconditioners and tolerances tried; "coarse start" = CG starts from the upscaled solution of the 2x-downsampled problem (recursively while more than 5,000 pixels are unknown) instead of from 0. MAD is against pymatting\'s alpha over the unknown pixels. The pipeline uses IC(0) + coarse start + rtol 1e-4 (or the model\'s soft mask as the start instead of the coarse solve): 1e-4 keeps every case far inside the 0.01 target, 1e-3 does not (lemur).',
    '',
    ...grid,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  await writeBenchmarkSection('matting', markdown);
}

/** One row per target: the worst case, and met / not met. */
function targetLines(results: readonly CaseResult[]): string[] {
  const worst = <K extends keyof CaseResult>(key: K, pick: (a: number, b: number) => boolean) =>
    results.reduce<CaseResult | undefined>((best, r) => {
      const v = r[key];
      if (typeof v !== 'number') return best;
      const b = best?.[key];
      return typeof b !== 'number' || pick(v, b) ? r : best;
    }, undefined);
  const status = (ok: boolean) => (ok ? 'met' : '**not met**');
  const rows = ['| target | worst case | status |', '|---|---|---|'];
  const slowCpu = worst('speedUpCpu', (a, b) => a < b);
  const slowWall = worst('speedUpWall', (a, b) => a < b);
  if (slowCpu && slowWall) {
    rows.push(
      `| speed-up >= ${TARGET_SPEED_UP}x at every size, by CPU time | ${slowCpu.stem} (${slowCpu.size}): ${slowCpu.speedUpCpu.toFixed(2)}x | ${status(slowCpu.speedUpCpu >= TARGET_SPEED_UP)} |`,
      `| speed-up >= ${TARGET_SPEED_UP}x at every size, by wall time (noisy on a shared machine) | ${slowWall.stem} (${slowWall.size}): ${slowWall.speedUpWall.toFixed(2)}x | ${status(slowWall.speedUpWall >= TARGET_SPEED_UP)} |`,
    );
  }
  const madWorst = worst('mad', (a, b) => a > b);
  if (madWorst) {
    rows.push(
      `| MAD vs pymatting <= ${TARGET_MAD} over unknown px | ${madWorst.stem}: ${madWorst.mad.toFixed(5)} | ${status(madWorst.mad <= TARGET_MAD)} |`,
    );
  }
  const warmWorst = worst('bytesPerUnknownWarm', (a, b) => a > b);
  if (warmWorst?.bytesPerUnknownWarm !== undefined) {
    rows.push(
      `| peak memory growth <= ${TARGET_BYTES_PER_UNKNOWN} B / unknown px, warm call | ${warmWorst.stem}: ${warmWorst.bytesPerUnknownWarm.toFixed(0)} | ${status(warmWorst.bytesPerUnknownWarm <= TARGET_BYTES_PER_UNKNOWN)} |`,
    );
  }
  const coldWorst = worst('bytesPerUnknownCold', (a, b) => a > b);
  if (coldWorst) {
    rows.push(
      `| peak memory growth <= ${TARGET_BYTES_PER_UNKNOWN} B / unknown px, first run in a fresh process | ${coldWorst.stem}: ${coldWorst.bytesPerUnknownCold.toFixed(0)} | ${status(coldWorst.bytesPerUnknownCold <= TARGET_BYTES_PER_UNKNOWN)} |`,
    );
  }
  return rows;
}

/** Iterations, accuracy and CPU time of the alpha solve for each solver configuration. */
async function solverGrid(dir: string): Promise<string[]> {
  const rows = [
    '| case | preconditioner | rtol | coarse start | CG iterations | MAD vs pymatting | CPU ms |',
    '|---|---|---|---|---|---|---|',
  ];
  const configs: [PreconditionerKind, number, number][] = [
    ['jacobi', 1e-5, 0],
    ['jacobi', 1e-5, 5000],
    ['ichol', 1e-7, 0],
    ['ichol', 1e-5, 0],
    ['ichol', 1e-4, 0],
    ['ichol', 1e-7, 5000],
    ['ichol', 1e-5, 5000],
    ['ichol', 1e-4, 5000],
    ['ichol', 1e-3, 5000],
  ];
  for (const name of ['lemur.png', 'davis_dog_00059_x2.png']) {
    const stem = name.replace(/\.[a-z]+$/, '');
    const img = await raw(path.join(dir, name), 3);
    const tri = await raw(path.join(dir, `${stem}_trimap.png`), 1);
    const ref = await raw(path.join(dir, 'pymatting', `${stem}_alpha.png`), 1);
    const image = { data: new Uint8Array(img.data), width: img.w, height: img.h };
    for (const [preconditioner, rtol, coarseAbove] of configs) {
      const cpu = process.cpuUsage();
      const r = estimateAlphaCf(image, new Uint8Array(tri.data), {
        preconditioner,
        rtol,
        coarseAbove,
      });
      const used = process.cpuUsage(cpu);
      if (!r.ok) {
        rows.push(
          `| ${stem} | ${preconditioner} | ${rtol} | ${coarseAbove ? 'yes' : 'no'} | ${r.reason} | | |`,
        );
        continue;
      }
      let mad = 0;
      for (let y = 0; y < img.h; y++) {
        const end = r.unknown.rowStart[y + 1] as number;
        for (let p = r.unknown.rowStart[y] as number; p < end; p++) {
          const ra = (ref.data[y * img.w + (r.unknown.xs[p] as number)] as number) / 255;
          mad += Math.abs((r.values[p] as number) - ra);
        }
      }
      rows.push(
        `| ${stem} | ${preconditioner === 'ichol' ? 'IC(0)' : 'Jacobi'} | ${rtol} | ${coarseAbove ? 'yes' : 'no'} | ${r.iterations} | ${(mad / r.unknown.count).toFixed(5)} | ${((used.user + used.system) / 1000).toFixed(0)} |`,
      );
      process.stdout.write(`${rows.at(-1)}\n`);
    }
  }
  return rows;
}
