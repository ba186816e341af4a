import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The worker image installs production dependencies only (`npm ci --omit=dev` in
 * containers/worker/Dockerfile), so no module the worker can load, at start or later through a
 * dynamic import, may need a dev dependency.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const ENTRY_POINTS = ['containers/worker/main.ts', 'containers/worker/health-check.ts'];

/** Value imports (static, re-exports, dynamic); `import type` and `export type` are erased. */
const STATIC_IMPORT =
  /(?:^|[\n;])\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(STATIC_IMPORT)) {
    if (!match[1] && match[2]) found.push(match[2]);
  }
  for (const match of source.matchAll(DYNAMIC_IMPORT)) if (match[1]) found.push(match[1]);
  return found;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Every repository file the entry points can load, and every package they name. */
function reachable(entries: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = entries.map((entry) => join(ROOT, entry));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (!existsSync(target)) throw new Error(`${relative(ROOT, file)}: no ${specifier}`);
        pending.push(target);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        packages.add(packageOf(specifier));
      }
    }
  }
  return { files, packages };
}

describe('the worker image', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const { files, packages } = reachable(ENTRY_POINTS);

  it('loads only production dependencies', () => {
    const dev = [...packages].filter((name) => !(name in manifest.dependencies)).sort();
    expect(dev).toEqual([]);
    // The walk did reach the worker's own packages, so an empty list above means something.
    expect(packages).toContain('sqs-consumer');
    expect(packages).toContain('onnxruntime-node');
  });

  it('never loads the tiny-model writer (protobufjs), a development tool', () => {
    const relativeFiles = [...files].map((file) => relative(ROOT, file));
    expect(relativeFiles).toContain('adapters/models/model-store.ts');
    expect(relativeFiles).not.toContain('adapters/onnx/tiny-model-writer.ts');
  });
});
