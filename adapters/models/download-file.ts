import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelEntry } from '../../core/models/manifest.schema.ts';
import { digestFor } from './checksum.ts';

/** Bytes received so far and the total when the server says it (Content-Length). */
export type DownloadProgress = (received: number, total: number | undefined) => void;

export interface DownloadOptions {
  readonly onProgress?: DownloadProgress | undefined;
  /** Attempts in all, for network errors, 5xx answers and checksum mismatches. */
  readonly attempts?: number;
  /** First back-off; doubled after each failed attempt. */
  readonly backoffMs?: number;
  /** Gives up an attempt when no byte arrives for this long (a stalled connection). */
  readonly idleTimeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** A download that failed for good, with the reason of its last attempt. */
export class DownloadError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DownloadError';
    this.retryable = retryable;
  }
}

/**
 * Fetches `url` into `destination`: streamed to a temporary file beside it while hashing, checked
 * against the entry's checksum and size, then renamed into place, so a reader never sees a
 * partial or unverified file and two processes fetching at once do not corrupt each other.
 */
export async function downloadVerified(
  url: string,
  destination: string,
  entry: ModelEntry,
  options: DownloadOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  await mkdir(dirname(destination), { recursive: true });
  for (let attempt = 1; ; attempt += 1) {
    try {
      await downloadOnce(url, destination, entry, options);
      return;
    } catch (error) {
      const retryable = !(error instanceof DownloadError) || error.retryable;
      if (!retryable || attempt >= attempts) {
        throw error instanceof DownloadError
          ? error
          : new DownloadError(describe(error), true, error);
      }
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
}

async function downloadOnce(
  url: string,
  destination: string,
  entry: ModelEntry,
  options: DownloadOptions,
): Promise<void> {
  // An idle timer rather than one deadline: a 176 MB file on a slow link may take minutes.
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  try {
    await fetchInto(url, destination, entry, options, controller.signal, touch);
  } finally {
    clearTimeout(timer);
  }
}

async function fetchInto(
  url: string,
  destination: string,
  entry: ModelEntry,
  options: DownloadOptions,
  signal: AbortSignal,
  touch: () => void,
): Promise<void> {
  const response = await (options.fetch ?? fetch)(url, { redirect: 'follow', signal });
  touch();
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new DownloadError(
      `HTTP ${response.status} ${response.statusText} from ${url}`,
      response.status >= 500 || response.status === 429,
    );
  }
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  const { hash, expected } = digestFor(entry);
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      touch();
      hash.update(chunk);
      received += chunk.length;
      options.onProgress?.(received, total);
      callback(null, chunk);
    },
  });
  const temporary = join(
    dirname(destination),
    `.${basename(destination)}.${process.pid}.${randomBytes(4).toString('hex')}.part`,
  );
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      meter,
      createWriteStream(temporary),
    );
    const actual = hash.digest('hex');
    if (entry.bytes !== undefined && received !== entry.bytes) {
      throw new DownloadError(
        `${url} gave ${received} bytes, the manifest expects ${entry.bytes}`,
        true,
      );
    }
    if (expected !== undefined && actual !== expected.hex) {
      throw new DownloadError(
        `${url}: ${expected.algorithm} ${actual} does not match the manifest's ${expected.hex}`,
        true,
      );
    }
    await rename(temporary, destination);
  } finally {
    await rm(temporary, { force: true });
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
