// The `cutout` command compiled to JavaScript: esbuild bundles local/cli.ts (each subcommand a
// chunk of its own, npm packages left to node_modules) into .cache/cli/<build>/, and
// .cache/cli/current.json records every source file it was made from with its size and time.
// bin/cutout.js runs that build while every source is unchanged, builds again when one changed
// (about 0.2 s), and falls back to tsx when it cannot (no esbuild: an install without dev
// dependencies; a read-only clone). Compiled, a start skips tsx's loader and per-file transforms:
// `cutout remove` starts on about 0.6 s less CPU on a 2-core machine.
//
// `npm run build` runs this file (it prints where the build went). Plain JavaScript: it runs
// before any TypeScript loader.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, '.cache', 'cli');
const CURRENT = join(OUT, 'current.json');
const ENTRY = 'local/cli.ts';
/** Builds older than this that no longer are current are removed (a run may still use one). */
const KEEP_OLD_MS = 10 * 60 * 1000;

/** `[path, size, mtimeMs]` of a source file, or undefined when it is gone. */
function stampOf(path) {
  try {
    const info = statSync(join(ROOT, path));
    return [path, info.size, info.mtimeMs];
  } catch {
    return undefined;
  }
}

/** The file URL of the current build when every source it was made from is unchanged. */
export function currentBuild() {
  let current;
  try {
    current = JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(current?.inputs) || typeof current.dir !== 'string') return undefined;
  for (const [path, size, mtimeMs] of current.inputs) {
    const stamp = stampOf(path);
    if (!stamp || stamp[1] !== size || stamp[2] !== mtimeMs) return undefined;
  }
  return pathToFileURL(join(OUT, current.dir, 'cli.js')).href;
}

/**
 * Builds the CLI and makes it current; returns its file URL.
 * @throws when esbuild is missing or the sources do not build
 */
export async function buildCli() {
  const esbuild = await import('esbuild');
  const dir = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const outdir = join(OUT, dir);
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { cli: ENTRY },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((path) => !path.includes(':'));
  const located = inputs.filter((path) =>
    /import\.meta\.(dirname|filename)|new URL\(\s*['"]\./.test(
      readFileSync(join(ROOT, path), 'utf8'),
    ),
  );
  if (located.length > 0) {
    rmSync(outdir, { recursive: true, force: true });
    // Those files find their siblings from their own path, which a bundle elsewhere breaks.
    throw new Error(`cannot bundle ${located.join(', ')}: they locate files by their own path`);
  }
  const stamps = inputs.map(stampOf).filter((stamp) => stamp !== undefined);
  const temporary = `${CURRENT}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  writeFileSync(temporary, `${JSON.stringify({ dir, entry: ENTRY, inputs: stamps })}\n`);
  renameSync(temporary, CURRENT);
  removeOldBuilds(dir);
  return pathToFileURL(join(outdir, 'cli.js')).href;
}

function removeOldBuilds(keep) {
  for (const name of readdirSync(OUT)) {
    const path = join(OUT, name);
    if (name === keep || name === 'current.json') continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS)
        rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
}

/** The compiled CLI's URL, built now when stale; undefined when only tsx can run it here. */
export async function compiledCli() {
  const current = currentBuild();
  if (current) return current;
  try {
    return await buildCli();
  } catch {
    return undefined;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const url = await buildCli();
  process.stdout.write(`cutout: CLI built into ${relative(process.cwd(), fileURLToPath(url))}\n`);
}
