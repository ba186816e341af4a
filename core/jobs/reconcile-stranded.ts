import { RECONCILER_DEFAULTS } from '../config/reconciler.ts';
import { CutoutError, toCutoutError } from '../errors.ts';
import type { FileRecord, JobKind } from './job.ts';
import { overDeclaredSize } from './mark-uploaded.ts';
import type { PendingStatus } from './pending-files.ts';
import {
  type Clock,
  type JobQueue,
  type JobRepository,
  type ObjectStore,
  type PendingFile,
  systemClock,
} from './ports.ts';
import { failUpdate, markQueuedUpdate } from './transitions.ts';

/**
 * The scheduled safety net behind at-least-once delivery. Two things can strand a file:
 * the S3 upload event is lost (the file stays `waiting_upload` with its object present), or
 * the enqueue after the items were written fails (the file stays `queued` with no message).
 * Each run queues such files again. A duplicate message this makes is harmless: a worker's
 * claim is conditional, so only one of them processes the file.
 */

export interface ReconcileSettings {
  /** A queued file is sent again after waiting this long (and then after 2x, 4x, ... as long). */
  readonly queuedAfterMs: number;
  /** A waiting upload is not looked at until this long after its job was created. */
  readonly uploadGraceMs: number;
  /** A waiting upload with no object this long after creation fails (its URL has expired). */
  readonly abandonUploadAfterMs: number;
  /** Candidates examined per status per run. */
  readonly maxFiles: number;
}

export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = {
  queuedAfterMs: RECONCILER_DEFAULTS.queuedAfterSeconds * 1000,
  uploadGraceMs: RECONCILER_DEFAULTS.uploadGraceSeconds * 1000,
  abandonUploadAfterMs: RECONCILER_DEFAULTS.abandonUploadAfterSeconds * 1000,
  maxFiles: RECONCILER_DEFAULTS.maxFiles,
};

/** The back-off stops doubling here: a file stuck for days is still looked at every few hours. */
const MAX_BACKOFF_DOUBLINGS = 4;

export interface ReconcileDeps {
  readonly repo: JobRepository;
  readonly inputs: ObjectStore;
  readonly queue: JobQueue;
  readonly clock?: Clock;
  readonly settings?: Partial<ReconcileSettings>;
}

export interface ReconcileReport {
  /** `jobId/fileId` of uploads whose object was there but whose event never queued them. */
  readonly uploadsQueued: readonly string[];
  /** `jobId/fileId` of queued files sent to their queue again. */
  readonly requeued: readonly string[];
  /** `jobId/fileId` of uploads failed because no object came before their URL expired. */
  readonly abandoned: readonly string[];
  /** One line per file that could not be handled this run (it is tried again next run). */
  readonly problems: readonly string[];
}

type Action = 'uploadsQueued' | 'requeued' | 'abandoned' | undefined;

/** The pending clock after the n-th re-send: the next look comes queuedAfter * 2^n after now. */
export function nextPendingSince(now: number, requeues: number, queuedAfterMs: number): number {
  const doublings = Math.min(requeues, MAX_BACKOFF_DOUBLINGS);
  return now + queuedAfterMs * (2 ** doublings - 1);
}

/**
 * One reconciler pass: queues uploads that arrived without their event, sends stuck queued
 * files again (with a growing back-off per file), fails uploads that never came. Files that
 * are running or finished are never touched: every change is a conditional write on the
 * pending status, and candidates are re-read before anything is done.
 */
export async function reconcileStranded(deps: ReconcileDeps): Promise<ReconcileReport> {
  const settings = { ...DEFAULT_RECONCILE_SETTINGS, ...deps.settings };
  const now = (deps.clock ?? systemClock).now();
  const report = { uploadsQueued: [], requeued: [], abandoned: [], problems: [] } as {
    [K in keyof ReconcileReport]: string[];
  };
  const kinds = new Map<string, Promise<JobKind | undefined>>();
  const kindOf = (jobId: string) => {
    let kind = kinds.get(jobId);
    if (!kind) {
      kind = deps.repo.getJob(jobId).then((found) => found?.job.kind);
      kinds.set(jobId, kind);
    }
    return kind;
  };
  const context = { deps, settings, now, kindOf };

  const passes: [PendingStatus, number][] = [
    ['waiting_upload', now - settings.uploadGraceMs],
    ['queued', now - settings.queuedAfterMs],
  ];
  for (const [status, before] of passes) {
    const candidates = await deps.repo.listPendingFiles({
      status,
      before,
      limit: settings.maxFiles,
    });
    for (const candidate of candidates) {
      const id = `${candidate.jobId}/${candidate.fileId}`;
      try {
        const action = await reconcileFile(candidate, context);
        if (action) report[action].push(id);
      } catch (error) {
        report.problems.push(`${id}: ${toCutoutError(error).message}`);
      }
    }
  }
  return report;
}

interface Context {
  readonly deps: ReconcileDeps;
  readonly settings: ReconcileSettings;
  readonly now: number;
  kindOf(jobId: string): Promise<JobKind | undefined>;
}

async function reconcileFile(candidate: PendingFile, ctx: Context): Promise<Action> {
  // The index is eventually consistent and the file may have moved on since: re-read it.
  const file = await ctx.deps.repo.getFile(candidate.jobId, candidate.fileId);
  if (!file || file.status !== candidate.status || file.expiresAt * 1000 <= ctx.now) {
    return undefined;
  }
  return file.status === 'waiting_upload'
    ? reconcileUpload(file, ctx)
    : requeue(file, candidate.requeues, ctx);
}

async function reconcileUpload(file: FileRecord, ctx: Context): Promise<Action> {
  const head = await ctx.deps.inputs.head(file.inputKey);
  if (!head) {
    const waited = ctx.now - Date.parse(file.createdAt);
    if (waited < ctx.settings.abandonUploadAfterMs) return undefined;
    const minutes = Math.round(waited / 60_000);
    const reason = `${file.inputName}: never uploaded: no object arrived in the ${minutes} minutes after the job was created, and its upload URL has expired`;
    const failed = await ctx.deps.repo.updateFile(failUpdate(file, reason, ctx.now));
    return failed ? 'abandoned' : undefined;
  }
  const tooLarge = overDeclaredSize(file, head.size);
  if (tooLarge) {
    await ctx.deps.repo.updateFile(failUpdate(file, tooLarge, ctx.now));
    return undefined;
  }
  const queued = await ctx.deps.repo.updateFile(markQueuedUpdate(file, ctx.now, head.size));
  // Someone else (the late event, another run) moved it: they own the send.
  if (!queued) return undefined;
  await send(file, ctx);
  return 'uploadsQueued';
}

async function requeue(file: FileRecord, requeues: number, ctx: Context): Promise<Action> {
  // Sent before the clock moves: if the send fails, the next run tries again at once.
  await send(file, ctx);
  const next = requeues + 1;
  await ctx.deps.repo.updateFile({
    jobId: file.jobId,
    fileId: file.fileId,
    from: ['queued'],
    set: {
      pendingSince: nextPendingSince(ctx.now, next, ctx.settings.queuedAfterMs),
      requeues: next,
      updatedAt: new Date(ctx.now).toISOString(),
    },
  });
  return 'requeued';
}

async function send(file: FileRecord, ctx: Context): Promise<void> {
  const kind = await ctx.kindOf(file.jobId);
  if (!kind) throw new CutoutError('INTERNAL', `job ${file.jobId} has no job item`);
  await ctx.deps.queue.send({ v: 1, jobId: file.jobId, fileId: file.fileId, kind });
}
