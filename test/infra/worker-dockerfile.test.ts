import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedDigest } from '../../adapters/models/checksum.ts';
import { MODEL_MANIFEST } from '../../core/models/bundled-manifest.ts';
import { DEFAULT_WORKER_MODELS } from '../../infra/config.ts';
import {
  WORKER_HEALTH_COMMAND,
  WORKER_LIVENESS_FILE,
} from '../../infra/constructs/queue-worker.ts';
import { REPO_ROOT } from './support/test-app.ts';

/** The worker image's Dockerfile, read as text: pins, layer order and the weights check. */
const DOCKERFILE = readFileSync(join(REPO_ROOT, 'containers', 'worker', 'Dockerfile'), 'utf8');
const lines = DOCKERFILE.split('\n');
const argValue = (name: string) =>
  lines.find((l) => l.startsWith(`ARG ${name}=`))?.slice(`ARG ${name}=`.length);
const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The lines of one build stage, `FROM ... AS <name>` up to the next FROM. */
function stage(name: string): string[] {
  const start = lines.findIndex((l) => new RegExp(`^FROM \\S+ AS ${name}$`).test(l));
  expect(start, `stage ${name}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('FROM '));
  return lines.slice(start, end === -1 ? undefined : end);
}

describe('worker Dockerfile', () => {
  it('pins Node >= 22.18 and the CUDA 12 cuDNN runtime image by version and digest', () => {
    const node = argValue('NODE_IMAGE') ?? '';
    const [, minor] = /^node:22\.(\d+)\.\d+-bookworm-slim@/.exec(node) ?? [];
    expect(Number(minor)).toBeGreaterThanOrEqual(18);
    expect(node).toMatch(DIGEST);
    const cuda = argValue('CUDA_IMAGE') ?? '';
    expect(cuda).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu\d+\.\d+@/);
    expect(cuda).toMatch(DIGEST);
    // Every FROM names a pinned ARG or an earlier stage, never a bare tag.
    const froms = lines
      .filter((l) => l.startsWith('FROM '))
      .map((l) => (l.split(' ')[1] ?? '').replace(/^\$\{(\w+)\}$/, 'ARG $1'));
    for (const from of froms) {
      expect(['ARG NODE_IMAGE', 'ARG CUDA_IMAGE', 'node']).toContain(from);
    }
  });

  it('checks health the way the task definition does: the liveness file and the same script', () => {
    // A stale heartbeat file that nothing wrote made the old check meaningless.
    expect(DOCKERFILE).toContain(`ENV WORKER_LIVENESS_FILE=${WORKER_LIVENESS_FILE}`);
    const check = lines.findIndex((l) => l.startsWith('HEALTHCHECK '));
    const command = lines[check + 1]?.trim() ?? '';
    expect(command.startsWith('CMD [')).toBe(true);
    // ECS writes the exec form as ['CMD', ...argv]; Docker as CMD [argv].
    expect(['CMD', ...JSON.parse(command.slice('CMD '.length))]).toEqual([
      ...WORKER_HEALTH_COMMAND,
    ]);
  });

  it('fetches the weights from the manifest alone, before any source is copied', () => {
    const models = stage('models');
    const copies = models.filter((l) => l.startsWith('COPY '));
    expect(copies).toEqual(['COPY models/manifest.json ./manifest.json']);
    const runtime = stage('runtime');
    const weights = runtime.findIndex((l) => l.startsWith('COPY --from=models '));
    expect(weights).toBeGreaterThan(0);
    for (const source of ['core', 'adapters', 'containers', 'models', 'package.json']) {
      const at = runtime.findIndex((l) => l.startsWith(`COPY ${source} `));
      expect(at, source).toBeGreaterThan(weights);
    }
  });

  it('bakes in the default worker models, and says which checksum it checks them by', () => {
    expect(argValue('MODELS')).toBe(`"${DEFAULT_WORKER_MODELS.join(' ')}"`);
    const algorithms = new Set(
      DEFAULT_WORKER_MODELS.map((id) => {
        const entry = MODEL_MANIFEST.models.find((m) => m.id === id);
        return entry ? expectedDigest(entry)?.algorithm : undefined;
      }),
    );
    expect([...algorithms]).toEqual(['md5']);
    expect(DOCKERFILE).toContain('for the\n# default models the check is md5');
  });
});

describe('the weights fetch step', () => {
  const script = (() => {
    const start = lines.findIndex((l) => l.endsWith("<<'FETCH'"));
    const end = lines.findIndex((l, i) => i > start && l === 'FETCH');
    return lines.slice(start + 1, end).join('\n');
  })();
  const weights = Buffer.from('not really onnx, but bytes to hash');
  let server: Server;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    server = createServer((_req, res) => res.end(weights));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w.onnx`;
    dir = await mkdtemp(join(tmpdir(), 'cutout-fetch-'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the step as the image build would, with /models moved into a temporary folder. */
  async function run(entry: Record<string, unknown>): Promise<{ code: number; output: string }> {
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ models: [entry] }));
    const local = script
      .replaceAll("'/models'", `'${dir}/out'`)
      .replaceAll('`/models/', `\`${dir}/out/`);
    const child = spawn(process.execPath, ['--input-type=module'], {
      cwd: dir,
      env: { ...process.env, MODELS: String(entry.id) },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.stdin.end(local);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    return { code, output };
  }

  it('keeps a file whose md5 matches the manifest and refuses one that does not', async () => {
    const md5 = createHash('md5').update(weights).digest('hex');
    const good = await run({ id: 'm', fetch: { kind: 'https', url }, md5 });
    expect(good.output).toContain(`m: ${weights.length} bytes, md5 ${md5} matches the manifest`);
    expect(good.code).toBe(0);
    expect(await readFile(join(dir, 'out', 'm.onnx'))).toEqual(weights);

    const bad = await run({ id: 'n', fetch: { kind: 'https', url }, md5: '0'.repeat(32) });
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/model n: md5 [0-9a-f]{32} .* manifest pins 0{32}/);
  });

  it('prefers the sha256 when the manifest pins one', async () => {
    const sha256 = createHash('sha256').update(weights).digest('hex');
    const good = await run({ id: 's', fetch: { kind: 'https', url }, sha256, md5: '0'.repeat(32) });
    expect(good.code).toBe(0);
    expect(good.output).toContain(`sha256 ${sha256}`);
  });
});
