import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_PORT, INGEST_HEALTH_PATH } from '../../containers/ingest/env.ts';
import { INGEST_HEALTH_COMMAND } from '../../infra/constructs/ingest-service.ts';
import { INGEST_DOCKERFILE } from '../../infra/constructs/streaming-front-door.ts';
import { REPO_ROOT } from './support/test-app.ts';

/** The ingest image's Dockerfile, read as text: base pin, entry point, what it copies. */
const DOCKERFILE = readFileSync(join(REPO_ROOT, INGEST_DOCKERFILE), 'utf8');
const WORKER_DOCKERFILE = readFileSync(join(REPO_ROOT, 'containers/worker/Dockerfile'), 'utf8');
const lines = DOCKERFILE.split('\n');
const ENTRY = 'containers/ingest/main.ts';

const argValue = (text: string, name: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith(`ARG ${name}=`))
    ?.slice(`ARG ${name}=`.length);

/** The runtime stage's `COPY <dir> ./<dir>` sources (from the build context, not other stages). */
function copiedDirectories(): string[] {
  const start = lines.findIndex((l) => /^FROM \S+ AS runtime$/.test(l));
  expect(start).toBeGreaterThan(0);
  return lines
    .slice(start)
    .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
    .map((l) => l.split(/\s+/)[1] as string);
}

/**
 * Every module the entry point loads at run time, following relative imports: relative files
 * (repository paths) and bare package names. `import type` is erased by Node's type stripping;
 * any other import, even of types only, still loads its module, so it counts.
 */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    if (files.has(path)) return;
    files.add(path);
    const text = readFileSync(join(REPO_ROOT, path), 'utf8').replace(
      /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm,
      '',
    );
    const specifiers = [
      ...text.matchAll(/^(?:import|export)(?!\s+type\s)[^;'"]*?from\s+'([^']+)'/gm),
      ...text.matchAll(/^import\s+'([^']+)'/gm),
      ...text.matchAll(/\bimport\('([^']+)'\)/g),
    ].map((m) => m[1] as string);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        visit(relative(REPO_ROOT, normalize(join(REPO_ROOT, dirname(path), specifier))));
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const [first = '', second = ''] = specifier.split('/');
        packages.add(first.startsWith('@') ? `${first}/${second}` : first);
      }
    }
  };
  visit(entry);
  return { files, packages };
}

describe('ingest Dockerfile', () => {
  it('builds on the same pinned Node image as the worker (>= 22.18, by version and digest)', () => {
    const node = argValue(DOCKERFILE, 'NODE_IMAGE') ?? '';
    expect(node).toBe(argValue(WORKER_DOCKERFILE, 'NODE_IMAGE'));
    const [, minor] = /^node:22\.(\d+)\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/.exec(node) ?? [];
    expect(Number(minor)).toBeGreaterThanOrEqual(18);
    // Every FROM names the pinned ARG or an earlier stage, never a bare tag.
    const froms = lines
      .filter((l) => l.startsWith('FROM '))
      .map((l) => (l.split(' ')[1] ?? '').replace(/^\$\{(\w+)\}$/, 'ARG $1'));
    for (const from of froms) expect(['ARG NODE_IMAGE', 'node']).toContain(from);
  });

  it('runs the ingest entry point as an unprivileged user on the service port', () => {
    expect(lines.filter((l) => l.startsWith('CMD '))).toEqual([`CMD ["node", "${ENTRY}"]`]);
    expect(existsSync(join(REPO_ROOT, ENTRY))).toBe(true);
    expect(lines).toContain('USER node');
    expect(lines).toContain(`EXPOSE ${DEFAULT_INGEST_PORT}`);
  });

  it('checks health with the command the task definition runs', () => {
    const check = lines.findIndex((l) => l.startsWith('HEALTHCHECK '));
    const command = lines[check + 1]?.trim() ?? '';
    expect(command.startsWith('CMD [')).toBe(true);
    // ECS writes the exec form as ['CMD', ...argv]; Docker as CMD [argv].
    expect(['CMD', ...JSON.parse(command.slice('CMD '.length))]).toEqual([
      ...INGEST_HEALTH_COMMAND,
    ]);
    expect(INGEST_HEALTH_COMMAND.join(' ')).toContain(
      `127.0.0.1:${DEFAULT_INGEST_PORT}${INGEST_HEALTH_PATH}`,
    );
  });

  it('copies every file the entry point loads, and the web page it serves', () => {
    const copied = copiedDirectories();
    const { files } = reachable(ENTRY);
    expect(files.size).toBeGreaterThan(5);
    const missing = [...files].filter((f) => !copied.includes(f.split('/')[0] as string));
    expect(missing).toEqual([]);
    // Read from disk at run time rather than imported: local/web-assets.ts serves local/web/.
    expect(files.has('local/web-assets.ts')).toBe(true);
    expect(copied).toContain('local');
    // ... and .dockerignore keeps none of them out of the build context.
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const dir of copied.filter((d) => !d.includes('.'))) {
      expect(ignored, dir).not.toContain(dir);
    }
  });

  it('installs every package the entry point loads as a production dependency', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const { packages } = reachable(ENTRY);
    expect(packages.size).toBeGreaterThan(0);
    expect([...packages].filter((p) => !(p in pkg.dependencies))).toEqual([]);
    expect(DOCKERFILE).toMatch(/npm ci --omit=dev/);
    // onnxruntime-node's install script would otherwise fetch GPU providers the door never uses.
    expect(DOCKERFILE).toMatch(/ENV ONNXRUNTIME_NODE_INSTALL=skip/);
  });
});
