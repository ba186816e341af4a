import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CutoutError } from '../../core/errors.ts';
import type { ModelEntry } from '../../core/models/manifest.schema.ts';
import { convertFp16ModelToFp32 } from '../onnx/fp16-to-fp32.ts';
import { expectedDigest } from './checksum.ts';
import { writeAtomically } from './model-store.ts';

/**
 * The sidecar beside a derived file: which source it came from and its own hash, so a cached
 * copy is trusted only when both still match (the manifest pins the source, not the derivative).
 */
const sidecarSchema = z.object({
  derivedFrom: z.string().regex(/^[0-9a-f]+$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
});

export function fp32VariantPath(cacheDir: string, entry: ModelEntry): string {
  return join(cacheDir, `${entry.id}.fp32.onnx`);
}

/**
 * Returns the path of an fp32 copy of an fp16 entry's verified weights at `sourcePath`, deriving
 * it (and its sidecar `<file>.json`) when missing, stale or damaged. Both files are written
 * atomically, the sidecar last, so a crash in between leaves a file that is re-derived.
 * @throws CutoutError MODEL_UNAVAILABLE when the source cannot be converted
 */
export async function ensureFp32Variant(
  cacheDir: string,
  entry: ModelEntry,
  sourcePath: string,
  log?: (message: string) => void,
): Promise<string> {
  const path = fp32VariantPath(cacheDir, entry);
  const source = expectedDigest(entry)?.hex ?? '';
  if (await isIntact(path, source)) return path;
  const started = performance.now();
  let converted: ReturnType<typeof convertFp16ModelToFp32>;
  try {
    converted = convertFp16ModelToFp32(await readFile(sourcePath));
  } catch (error) {
    throw new CutoutError(
      'MODEL_UNAVAILABLE',
      `model "${entry.id}": cannot derive the fp32 copy from ${sourcePath}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const sha256 = createHash('sha256').update(converted.bytes).digest('hex');
  await writeAtomically(path, converted.bytes);
  const sidecar = { derivedFrom: source, sha256, bytes: converted.bytes.length };
  await writeAtomically(`${path}.json`, Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`));
  log?.(
    `model ${entry.id}: wrote fp32 copy ${path} (${converted.tensors} tensors, ${converted.casts} casts, ${Math.round(performance.now() - started)} ms)`,
  );
  return path;
}

async function isIntact(path: string, source: string): Promise<boolean> {
  try {
    const sidecar = sidecarSchema.parse(JSON.parse(await readFile(`${path}.json`, 'utf8')));
    if (source === '' || sidecar.derivedFrom !== source) return false;
    const bytes = await readFile(path);
    return (
      bytes.length === sidecar.bytes &&
      createHash('sha256').update(bytes).digest('hex') === sidecar.sha256
    );
  } catch {
    return false;
  }
}
