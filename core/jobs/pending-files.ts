import type { FileRecord, FileStatus } from './job.ts';
import type { FileUpdate } from './ports.ts';

/**
 * Which files the reconciler looks at: those waiting for an upload or a worker. Each carries a
 * pending clock (epoch ms) from when it started waiting; the repositories keep it in an index
 * and drop it when the file starts running or finishes. Both the DynamoDB adapter and the
 * in-memory fake derive it through these functions, so they agree.
 */

export const PENDING_STATUSES = ['waiting_upload', 'queued'] as const;
export type PendingStatus = (typeof PENDING_STATUSES)[number];

export function isPending(status: FileStatus): status is PendingStatus {
  return (PENDING_STATUSES as readonly FileStatus[]).includes(status);
}

/** A new file's pending clock: its creation, or undefined when it is born finished. */
export function initialPendingSince(file: FileRecord): number | undefined {
  return isPending(file.status) ? Date.parse(file.createdAt) : undefined;
}

/**
 * How `update` moves the file's pending clock: a new value, `null` (out of the index: it is
 * running or finished), or undefined (unchanged). Entering `queued` restarts the clock; the
 * reconciler may set it explicitly (`set.pendingSince`) to push its next look further out.
 */
export function pendingSinceAfter(update: FileUpdate): number | null | undefined {
  if (update.set.pendingSince !== undefined) return update.set.pendingSince;
  const status = update.set.status;
  if (status === undefined) return undefined;
  return isPending(status) ? Date.parse(update.set.updatedAt) : null;
}
