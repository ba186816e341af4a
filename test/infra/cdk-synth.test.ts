import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../infra/constructs/node-function.ts';
import { type CfnJson, REPO_ROOT, removeOutput, SYNTH_TIMEOUT_MS } from './support/test-app.ts';

/** What no Lambda bundle may contain: the worker's native stack and process spawning. */
const FORBIDDEN_PACKAGES = [
  'sharp',
  'onnxruntime-node',
  'onnxruntime-common',
  'onnxruntime-web',
  '@imgly/background-removal-node',
  'ffmpeg-static',
  'fluent-ffmpeg',
  '@ffmpeg-installer/ffmpeg',
];
const FORBIDDEN_BUILTINS = ['child_process', 'node:child_process'];
/**
 * The AWS SDK's `credential_process` provider imports child_process; it sits in the default
 * credential chain after the environment credentials Lambda provides, so it never runs there.
 */
const MAY_IMPORT_BUILTINS = ['@aws-sdk/credential-provider-process'];

/** `node_modules/@scope/pkg/x.js` -> `@scope/pkg`; a bare specifier -> its package. */
function packageOf(path: string): string {
  const tail = path.split(/node_modules[/\\]/).at(-1) ?? path;
  const [first = '', second = ''] = tail.split(/[/\\]/);
  return first.startsWith('@') ? `${first}/${second}` : first;
}

function forbiddenPackage(path: string): boolean {
  const pkg = packageOf(path);
  // @img/sharp-<platform> are sharp's native binaries.
  return FORBIDDEN_PACKAGES.includes(pkg) || pkg.startsWith('@img/');
}

/** Minified ESM, AWS SDK included. The convert handler (multipart, three SDK clients) is the largest. */
const BUNDLE_BUDGET_BYTES = 2 * 1024 * 1024;

interface Metafile {
  inputs: Record<string, { bytes: number; imports: { path: string; external?: boolean }[] }>;
  outputs: Record<string, { bytes: number; imports: { path: string; external?: boolean }[] }>;
}

let outdir: string;
let manifest: { artifacts: Record<string, Record<string, CfnJson>>; missing?: unknown[] };
let serviceStack: string;

/**
 * `cdk synth` exactly as a user runs it (the CLI, cdk.json, the app entry), offline: no AWS
 * credentials, and a Docker that fails if anything calls it. Lambdas are bundled with the
 * local esbuild and their metafiles kept for the bundle guard below.
 */
beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'cutout-cdk-synth-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    CDK_DOCKER: '/bin/false',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const cdk = join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  try {
    await promisify(execFile)(
      process.execPath,
      [cdk, 'synth', '--quiet', '--no-notices', '-o', outdir, '-c', 'cutout:bundleMetafile=true'],
      { cwd: REPO_ROOT, env, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`cdk synth failed:\n${stderr}\n${stdout}`.slice(0, 20_000));
  }
  manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  serviceStack = 'cutout-dev';
}, 2 * SYNTH_TIMEOUT_MS);
afterAll(() => removeOutput(outdir));

describe('cdk synth (CLI, offline)', () => {
  it('synthesizes the account, storage and service stacks environment-agnostic, with no context lookups left', () => {
    const stacks = Object.entries(manifest.artifacts).filter(
      ([, a]) => a.type === 'aws:cloudformation:stack',
    );
    expect(stacks.map(([name]) => name).sort()).toEqual([
      'cutout-account',
      'cutout-dev',
      'cutout-dev-storage',
    ]);
    for (const [, artifact] of stacks) {
      expect(artifact.environment).toBe('aws://unknown-account/unknown-region');
    }
    expect(manifest.missing ?? []).toEqual([]);
  });

  it('stages the worker image build context without building it', () => {
    const assets = JSON.parse(readFileSync(join(outdir, `${serviceStack}.assets.json`), 'utf8'));
    const images = Object.values(assets.dockerImages ?? {}) as Record<string, CfnJson>[];
    expect(images).toHaveLength(1);
    const source = images[0]?.source;
    expect(source).toMatchObject({
      dockerFile: 'containers/worker/Dockerfile',
      platform: 'linux/amd64',
    });
    const context = join(outdir, source.directory);
    expect(existsSync(join(context, 'containers', 'worker', 'Dockerfile'))).toBe(true);
    expect(existsSync(join(context, 'package-lock.json'))).toBe(true);
    expect(existsSync(join(context, 'core'))).toBe(true);
    // .dockerignore keeps dependencies, tests and VCS data out of the context.
    for (const excluded of ['node_modules', 'test', '.git', 'cdk.out', 'bench']) {
      expect(existsSync(join(context, excluded)), excluded).toBe(false);
    }
  });
});

describe('Lambda bundle guard', () => {
  const bundles = (): { name: string; dir: string; meta: Metafile }[] => {
    const template = JSON.parse(
      readFileSync(join(outdir, `${serviceStack}.template.json`), 'utf8'),
    );
    const found: { name: string; dir: string; meta: Metafile }[] = [];
    for (const [id, resource] of Object.entries(template.Resources) as [string, CfnJson][]) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const name = FUNCTION_NAMES.find((n) => id.toLowerCase().includes(n.replace(/-/g, '')));
      if (!name) continue; // CDK's own helpers (bucket notifications), inline code
      const assetPath = resource.Metadata['aws:asset:path'] as string;
      const dir = join(outdir, assetPath);
      const meta = JSON.parse(readFileSync(join(dir, 'index.meta.json'), 'utf8')) as Metafile;
      found.push({ name, dir, meta });
    }
    return found;
  };

  it('bundles every handler', () => {
    expect(
      bundles()
        .map((b) => b.name)
        .sort(),
    ).toEqual([...FUNCTION_NAMES].sort());
  });

  it('keeps sharp, onnxruntime and ffmpeg out of every bundle, and process spawning out of our code', () => {
    for (const { name, meta } of bundles()) {
      const inputs = Object.keys(meta.inputs).filter(
        (path) => path.includes('node_modules') && forbiddenPackage(path),
      );
      expect(inputs, `${name}: bundled`).toEqual([]);
      const external = Object.values(meta.outputs).flatMap((o) =>
        o.imports.map((i) => i.path).filter(forbiddenPackage),
      );
      expect(external, `${name}: imported at run time`).toEqual([]);
      const spawners = Object.entries(meta.inputs)
        .filter(([, input]) => input.imports.some((i) => FORBIDDEN_BUILTINS.includes(i.path)))
        .map(([path]) => path)
        .filter((path) => !MAY_IMPORT_BUILTINS.includes(packageOf(path)));
      expect(spawners, `${name}: imports child_process`).toEqual([]);
      // The guard looks at real module graphs: every bundle holds some first-party code.
      expect(
        Object.keys(meta.inputs).some((p) => !p.includes('node_modules')),
        name,
      ).toBe(true);
    }
  });

  it(`holds each bundle under ${BUNDLE_BUDGET_BYTES / 1024 / 1024} MiB`, () => {
    for (const { name, dir } of bundles()) {
      const code = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
      expect(code, name).toEqual(['index.mjs']);
      const bytes = statSync(join(dir, 'index.mjs')).size;
      expect(bytes, name).toBeLessThan(BUNDLE_BUDGET_BYTES);
    }
  });
});
