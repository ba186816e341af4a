import { S3_PREFIX } from '../config/resources.ts';
import { createIncomingJob } from './incoming-job.ts';
import type { FileRecord } from './job.ts';
import type { JobLimits } from './job-limits.ts';
import { parseInputKey } from './object-keys.ts';
import {
  type Clock,
  type JobQueue,
  type JobRepository,
  type ObjectStore,
  systemClock,
} from './ports.ts';
import { failUpdate, markQueuedUpdate } from './transitions.ts';

/** An S3 ObjectCreated record, decoded (the key is plain text, not S3's `+`-encoding). */
export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly sequencer?: string;
}

export interface MarkUploadedDeps {
  readonly repo: JobRepository;
  readonly inputs: ObjectStore;
  readonly queue: JobQueue;
  readonly clock?: Clock;
  readonly limits?: Partial<JobLimits>;
}

export type MarkUploadedOutcome =
  | { readonly outcome: 'queued'; readonly jobId: string; readonly fileId: string }
  | { readonly outcome: 'failed'; readonly jobId: string; readonly reason: string }
  | { readonly outcome: 'ignored'; readonly reason: string };

/**
 * Why an uploaded object cannot be the file, when it is larger than the size its upload
 * declared. S3 enforces the signed size on AWS; this catches what an emulator lets through.
 */
export function overDeclaredSize(
  file: Pick<FileRecord, 'inputName' | 'size'>,
  size: number | undefined,
): string | undefined {
  if (size === undefined || file.size === undefined || size <= file.size) return undefined;
  return `'${file.inputName}' is ${size} bytes, more than the ${file.size} declared`;
}

/**
 * Reacts to an object landing in the inputs bucket (delivery is at least once, in any order).
 *
 * - `jobs/<uuid>/<fileId>/<name>`: the awaited upload of a file; waiting_upload -> queued and
 *   enqueue, by the one event whose conditional write made that move. Every other event is
 *   ignored: an inline file's object is written before its items exist (its job enqueues it), a
 *   client re-POSTing a presigned upload or S3 repeating an event finds the file queued or
 *   later, and a second enqueue would only make a duplicate message. A send lost after the
 *   move is recovered by the reconciler, not by a repeated event.
 * - `incoming/<path>`: a job of its own, options from the object's metadata, result under
 *   `results/<path>` in the outputs bucket; its uuid is random, recorded once per object
 *   version, so a repeated event does not make a second job (core/jobs/incoming-job.ts).
 */
export async function markUploaded(
  object: UploadedObject,
  deps: MarkUploadedDeps,
): Promise<MarkUploadedOutcome> {
  if (object.key.startsWith(S3_PREFIX.incoming)) return createIncomingJob(object, deps);
  const ids = parseInputKey(object.key);
  if (!ids) return { outcome: 'ignored', reason: `not a job input: ${object.key}` };
  const now = (deps.clock ?? systemClock).now();
  const file = await deps.repo.getFile(ids.jobId, ids.fileId);
  if (!file) {
    // The usual case for an inline file: the convert handler writes objects, then items.
    return { outcome: 'ignored', reason: `no upload awaited under ${object.key} (inline file)` };
  }
  if (file.inputKey !== object.key) {
    return { outcome: 'ignored', reason: `no file awaits ${object.key}` };
  }
  if (file.status !== 'waiting_upload') {
    return { outcome: 'ignored', reason: `file ${file.fileId} is already ${file.status}` };
  }
  const size = object.size ?? (await deps.inputs.head(object.key))?.size;
  const reason = overDeclaredSize(file, size);
  if (reason) {
    await deps.repo.updateFile(failUpdate(file, reason, now));
    return { outcome: 'failed', jobId: file.jobId, reason };
  }
  const queued = await deps.repo.updateFile(markQueuedUpdate(file, now, size));
  if (!queued) {
    // Another event (a retried upload, a repeated notification) queued it first.
    return { outcome: 'ignored', reason: `file ${file.fileId} was queued by another event` };
  }
  const job = await deps.repo.getJob(file.jobId);
  const kind = job?.job.kind ?? 'image';
  await deps.queue.send({ v: 1, jobId: file.jobId, fileId: file.fileId, kind });
  return { outcome: 'queued', jobId: file.jobId, fileId: file.fileId };
}
