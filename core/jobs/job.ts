import type { ConvertOptions } from '../params/convert-params.ts';
import type { WebhookConfig, WebhookState } from '../webhooks/webhook-model.ts';
import type { OutputGeometry } from './ports.ts';

/**
 * The job model: one job item plus one item per file, all under the job uuid. Status only
 * moves forward along the transitions below; every move is a conditional write in the
 * repository, so a redelivered message can never finish a file twice or move it backwards.
 */

export const FILE_STATUSES = ['waiting_upload', 'queued', 'running', 'done', 'failed'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export type JobKind = 'image' | 'video';

/** Where a job came from: the HTTP API, or an object dropped under `incoming/`. */
export type JobSource = 'api' | 'incoming';

export interface JobRecord {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly source: JobSource;
  /** The parsed request options, exactly as the worker will apply them. */
  readonly options: ConvertOptions;
  readonly apiKeyId: string | undefined;
  readonly fileCount: number;
  /** Inputs-bucket key of the background image or video, when the options need one. */
  readonly backgroundKey: string | undefined;
  /** Job-level problems shown in `/v1/results` `errors`. */
  readonly errors: readonly string[];
  readonly createdAt: string;
  /** Epoch seconds; the record and its objects are gone after this. */
  readonly expiresAt: number;
  /** The request's `webhook_url` and events; absent: no webhook. */
  readonly webhook?: WebhookConfig | undefined;
  /** The job.finished event's delivery, once claimed (core/webhooks/); absent: not yet. */
  readonly webhookState?: WebhookState | undefined;
}

export interface FileRecord {
  readonly jobId: string;
  /** Zero-padded position in the request, so a query returns files in request order. */
  readonly fileId: string;
  /** The sanitised input name. */
  readonly inputName: string;
  /** An `image_url` input: where the worker fetches it (into `inputKey`) before processing. */
  readonly sourceUrl?: string | undefined;
  /** The result's name, unique within the job (`<stem>.png`, `<stem>.mov`, ...). */
  readonly outputName: string;
  readonly inputKey: string;
  /** Outputs-bucket key; fixed at creation so every attempt writes the same object. */
  readonly outputKey: string;
  readonly contentType: string | undefined;
  /** Declared size (uploads) or actual size (inline and uploaded). */
  readonly size: number | undefined;
  readonly status: FileStatus;
  /** 0-1 while running; 1 when done. */
  readonly progress: number;
  readonly attempts: number;
  /** Epoch ms until which the worker that claimed the file owns it. */
  readonly leaseUntil: number;
  /** Random token of the claim that owns the file; completion must present it. */
  readonly leaseToken: string | undefined;
  readonly error: string | undefined;
  /**
   * The last retryable failure, kept so a dead-lettered file gets a readable reason; worded to
   * follow the file's name (`error` is the whole reason, name included).
   */
  readonly lastError: string | undefined;
  /** The model that actually ran (after aliasing). */
  readonly modelId: string | undefined;
  readonly outputContentType: string | undefined;
  readonly outputSize: number | undefined;
  /** Images: the output's size and the subject's box (absent on video and older records). */
  readonly outputGeometry?: OutputGeometry | undefined;
  readonly warnings: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: number;
}

/** The identity and starting state of a new file; everything else starts empty. */
export type NewFile = Pick<
  FileRecord,
  | 'jobId'
  | 'fileId'
  | 'inputName'
  | 'outputName'
  | 'inputKey'
  | 'outputKey'
  | 'contentType'
  | 'size'
  | 'status'
  | 'createdAt'
  | 'expiresAt'
> & { readonly error?: string | undefined; readonly sourceUrl?: string | undefined };

/** A file's first item, before any worker touched it. */
export function newFileRecord(file: NewFile): FileRecord {
  return {
    ...file,
    error: file.error,
    progress: 0,
    attempts: 0,
    leaseUntil: 0,
    leaseToken: undefined,
    lastError: undefined,
    modelId: undefined,
    outputContentType: undefined,
    outputSize: undefined,
    warnings: [],
    updatedAt: file.createdAt,
  };
}

const NEXT: Readonly<Record<FileStatus, readonly FileStatus[]>> = {
  waiting_upload: ['queued', 'failed'],
  queued: ['running', 'failed'],
  // running -> running is a reclaim after the previous holder's lease ran out (a crashed worker).
  running: ['running', 'done', 'failed'],
  done: [],
  failed: [],
};

export function canTransition(from: FileStatus, to: FileStatus): boolean {
  return NEXT[from].includes(to);
}

/** The states a file can move to `to` from; repositories turn this into a condition. */
export function statusesAllowing(to: FileStatus): FileStatus[] {
  return FILE_STATUSES.filter((from) => canTransition(from, to));
}

export function isFinished(status: FileStatus): boolean {
  return status === 'done' || status === 'failed';
}

/** Whether a worker may claim the file now: queued, or running under an expired lease. */
export function isClaimable(file: Pick<FileRecord, 'status' | 'leaseUntil'>, now: number): boolean {
  return file.status === 'queued' || (file.status === 'running' && file.leaseUntil <= now);
}

export function fileIdFor(index: number): string {
  return String(index).padStart(4, '0');
}

export function jobKindOf(options: ConvertOptions): JobKind {
  return options.kind;
}
