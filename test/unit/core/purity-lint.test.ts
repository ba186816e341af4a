import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIOME = join(ROOT, 'node_modules/@biomejs/biome/bin/biome');

// Everything core/ must not reach; adapters/ may.
const PROBE = `import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';

export const reached = [execFile, readFileSync, readFile, S3Client, marshall, process.env.HOME];
`;

interface Diagnostic {
  readonly category: string;
  readonly message: string;
  readonly location: { readonly path: string; readonly start: { readonly line: number } };
}

let work: string;
let diagnostics: Diagnostic[];

/** The repository's biome.json, run over the probe placed in core/ and in adapters/. */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cutout-purity-'));
  const config = JSON.parse(await readFile(join(ROOT, 'biome.json'), 'utf8'));
  delete config.$schema;
  config.vcs = { enabled: false };
  await writeFile(join(work, 'biome.json'), JSON.stringify(config));
  for (const dir of ['core', 'adapters']) {
    await mkdir(join(work, dir));
    await writeFile(join(work, dir, 'probe.ts'), PROBE);
  }
  const run = await promisify(execFile)(process.execPath, [BIOME, 'lint', '--reporter=json', '.'], {
    cwd: work,
  }).catch((failed: { stdout: string }) => failed);
  diagnostics = JSON.parse(run.stdout).diagnostics;
});

afterAll(() => rm(work, { recursive: true, force: true }));

describe('the lint rules that keep core/ pure', () => {
  it('refuse node:child_process, node:fs, node:fs/promises and every @aws-sdk package in core/', () => {
    const refused = diagnostics
      .filter((d) => d.location.path === 'core/probe.ts')
      .filter((d) => d.category === 'lint/style/noRestrictedImports')
      .map((d) => d.location.start.line);
    expect(refused).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuse process.env in core/', () => {
    expect(
      diagnostics.filter(
        (d) => d.location.path === 'core/probe.ts' && d.category === 'lint/style/noProcessEnv',
      ),
    ).toHaveLength(1);
  });

  it('leave adapters/ free to reach them', () => {
    expect(diagnostics.filter((d) => d.location.path === 'adapters/probe.ts')).toEqual([]);
  });
});
