import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../core/config/contract.ts';
import { CutoutError } from '../core/errors.ts';

/**
 * The local server's disk budget: once its data folder (objects, tables, queues, scratch) uses
 * the budget, or the disk under it is nearly full, new jobs are refused with
 * INSUFFICIENT_STORAGE (HTTP 507) before anything of theirs is written. What is stored stays as
 * it is; space comes back as jobs expire (ttl-sweeper.ts).
 *
 * Walking the folder costs a stat per file, so a measurement is reused for a while (ten times
 * as long as it took, at least two seconds): the budget can be overshot by what is admitted in
 * that time, a few files' worth.
 */

export const DISK_BUDGET_ENV = 'CUTOUT_DISK_BUDGET';
export const DEFAULT_DISK_BUDGET = '5GB';
/** Refused below this much free space on the data folder's disk, whatever the budget. */
export const FREE_SPACE_RESERVE_BYTES = 256 * 1024 * 1024;

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `5GB`, `500MiB`, `1.5 gb`, `1000000` (bytes); 0 turns the budget off. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()];
  if (!match?.[1] || unit === undefined) return undefined;
  return Math.floor(Number(match[1]) * unit);
}

export const diskBudgetShape = {
  [DISK_BUDGET_ENV]: z
    .string()
    .default(DEFAULT_DISK_BUDGET)
    .transform((text, ctx) => {
      const bytes = parseByteSize(text);
      if (bytes !== undefined) return bytes;
      ctx.addIssue({ code: 'custom', message: 'expected a size such as 5GB, 500MB or 0 (off)' });
      return z.NEVER;
    })
    .describe(
      '`npm start` only: the most disk its data folder may use (`5GB`, `500MiB`; `0`: no budget); over it, new jobs get 507 INSUFFICIENT_STORAGE until old ones expire.',
    ),
};

/** @throws CutoutError CONFIGURATION naming CUTOUT_DISK_BUDGET for a value that is not a size */
export function parseDiskBudget(env: Readonly<Record<string, string | undefined>>): number {
  return parseConfig(diskBudgetShape, env)[DISK_BUDGET_ENV];
}

/** `5.2 GB`: sizes as people read them in an answer. */
export function describeSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

/** Bytes the folder's files take on disk (allocated blocks; the size where a file has none). */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      total += await folderBytes(path);
    } else {
      // A file deleted while the folder is walked (a sweep, a finished upload) counts as gone.
      const stat = await lstat(path).catch(() => undefined);
      if (stat) total += stat.blocks > 0 ? stat.blocks * 512 : stat.size;
    }
  }
  return total;
}

export interface DiskBudgetOptions {
  readonly dir: string;
  /** 0: no budget (the free-space reserve still holds). */
  readonly budgetBytes: number;
  readonly reserveBytes?: number;
  /** Measures the folder (tests count calls); folderBytes by default. */
  readonly measure?: (dir: string) => Promise<number>;
  /** Free bytes on the folder's disk; statfs by default. */
  readonly freeBytes?: (dir: string) => Promise<number>;
  readonly now?: () => number;
}

export interface DiskBudget {
  readonly budgetBytes: number;
  /** Resolves when a new job may be written; throws INSUFFICIENT_STORAGE when not. */
  admit(): Promise<void>;
  /** A fresh measurement of the folder, in bytes. */
  used(): Promise<number>;
}

const MIN_REUSE_MS = 2_000;

async function statfsFree(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

export function createDiskBudget(options: DiskBudgetOptions): DiskBudget {
  const measure = options.measure ?? folderBytes;
  const free = options.freeBytes ?? statfsFree;
  const reserve = options.reserveBytes ?? FREE_SPACE_RESERVE_BYTES;
  const now = options.now ?? Date.now;
  let last: { used: number; free: number; at: number; tookMs: number } | undefined;
  let pending: Promise<NonNullable<typeof last>> | undefined;

  const refresh = () => {
    pending ??= (async () => {
      const started = now();
      try {
        const [used, available] = await Promise.all([measure(options.dir), free(options.dir)]);
        last = { used, free: available, at: now(), tookMs: now() - started };
        return last;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  const current = async () => {
    if (!last || now() - last.at > Math.max(MIN_REUSE_MS, last.tookMs * 10)) return refresh();
    return last;
  };

  return {
    budgetBytes: options.budgetBytes,
    admit: async () => {
      const state = await current();
      if (options.budgetBytes > 0 && state.used >= options.budgetBytes) {
        throw new CutoutError(
          'INSUFFICIENT_STORAGE',
          `the server's data folder uses ${describeSize(state.used)} of its ${describeSize(options.budgetBytes)} disk budget (${DISK_BUDGET_ENV}); ` +
            'no new jobs until older ones expire or the budget is raised',
          { subject: null },
        );
      }
      if (state.free < reserve) {
        throw new CutoutError(
          'INSUFFICIENT_STORAGE',
          `the disk holding the server's data has ${describeSize(state.free)} free, under the ${describeSize(reserve)} it keeps free; ` +
            'no new jobs until space is freed',
          { subject: null },
        );
      }
    },
    used: async () => (await refresh()).used,
  };
}
