import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { arch, cpus } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';

/**
 * ONNX Runtime's graph optimisations (constant folding, fusions, the CPU's blocked NCHWc layout)
 * took 3-4 s of every ISNet session load on a 2-core machine, each time the same. The CPU provider
 * can save the optimised graph; loading that file with optimisations off skips the work. The saved
 * graph holds kernels chosen for this CPU and runtime, so its name carries a key of both.
 */
export interface OptimizedModelKey {
  /** Identifies the source weights (the manifest's pinned digest). */
  readonly source: string;
  readonly runtime: string;
  readonly machine: string;
}

const sidecarSchema = z.object({
  source: z.string(),
  runtime: z.string(),
  machine: z.string(),
  bytes: z.number().int().positive(),
  mtimeMs: z.number(),
});

export function optimizedModelKey(source: string): OptimizedModelKey {
  return {
    source,
    runtime: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}`,
    machine: `${arch()} ${cpus()[0]?.model ?? 'unknown CPU'}`,
  };
}

/** `<cacheDir>/<id>.cpu-<key hash>.onnx`: another runtime or CPU gets a file of its own. */
export function optimizedModelPath(cacheDir: string, id: string, key: OptimizedModelKey): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([key.source, key.runtime, key.machine]))
    .digest('hex')
    .slice(0, 12);
  return join(cacheDir, `${id}.cpu-${hash}.onnx`);
}

/**
 * The saved graph when its sidecar matches the key and the file is the one the sidecar recorded
 * (size and modification time). No hash: the point is a fast start, the file is derived locally,
 * and a damaged one fails to load, which the caller answers by deriving it again.
 */
export async function findOptimizedModel(
  path: string,
  key: OptimizedModelKey,
): Promise<string | undefined> {
  try {
    const sidecar = sidecarSchema.parse(JSON.parse(await readFile(`${path}.json`, 'utf8')));
    const info = await stat(path);
    const same =
      sidecar.source === key.source &&
      sidecar.runtime === key.runtime &&
      sidecar.machine === key.machine &&
      sidecar.bytes === info.size &&
      sidecar.mtimeMs === info.mtimeMs;
    return same ? path : undefined;
  } catch {
    return undefined;
  }
}

/** A place for ONNX Runtime to write the optimised graph, moved into the cache by `commit`. */
export interface PendingOptimizedModel {
  readonly temporaryPath: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export function pendingOptimizedModel(path: string, key: OptimizedModelKey): PendingOptimizedModel {
  const temporaryPath = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  return {
    temporaryPath,
    async commit() {
      // The sidecar goes last: a crash in between leaves a file without one, derived again.
      await rename(temporaryPath, path);
      const info = await stat(path);
      const sidecar = { ...key, bytes: info.size, mtimeMs: info.mtimeMs };
      const sidecarPath = `${path}.json`;
      const temporarySidecar = `${sidecarPath}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
      await writeFile(temporarySidecar, `${JSON.stringify(sidecar, null, 2)}\n`);
      await rename(temporarySidecar, sidecarPath);
    },
    discard: () => rm(temporaryPath, { force: true }),
  };
}

/** Forgets a saved graph that failed to load, so the next load derives it again. */
export async function dropOptimizedModel(path: string): Promise<void> {
  await rm(`${path}.json`, { force: true });
  await rm(path, { force: true });
}
