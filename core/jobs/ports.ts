import type { ImageOptions, VideoOptions } from '../params/convert-params.ts';
import type { FileRecord, FileStatus, JobRecord } from './job.ts';
import type { JobMessage } from './job-message.ts';
import type { PendingStatus } from './pending-files.ts';

/**
 * Ports of the job system. Adapters in adapters/aws/ implement them against S3, SQS and
 * DynamoDB; unit tests use in-memory fakes with the same semantics.
 */

/** Fields a file update may set; `undefined` leaves a value as it is. */
export interface FilePatch {
  readonly status?: FileStatus;
  readonly progress?: number;
  readonly leaseUntil?: number;
  readonly leaseToken?: string;
  readonly size?: number;
  readonly error?: string;
  readonly lastError?: string;
  readonly modelId?: string;
  readonly outputContentType?: string;
  readonly outputSize?: number;
  readonly outputGeometry?: OutputGeometry;
  readonly warnings?: readonly string[];
  /**
   * Epoch ms of the file's pending clock (see pending-files.ts); set by the reconciler when it
   * queues a file again, to hold off its next look. Entering `queued` restarts it anyway.
   */
  readonly pendingSince?: number;
  /** How many times the reconciler queued the file again (its back-off grows with this). */
  readonly requeues?: number;
  readonly updatedAt: string;
}

/**
 * One conditional single-item write. It applies only when the file's status is in `from`,
 * and, when given, its lease token equals `leaseToken` and (for a running file) its lease
 * ended at or before `leaseExpiredAt`.
 */
export interface FileUpdate {
  readonly jobId: string;
  readonly fileId: string;
  readonly from: readonly FileStatus[];
  readonly leaseToken?: string;
  readonly leaseExpiredAt?: number;
  readonly incrementAttempts?: boolean;
  readonly set: FilePatch;
}

/**
 * Job and file items. Single-item conditional writes only (dynalite has no transactions).
 *
 * @example
 * const claimed = await repo.updateFile(claimUpdate(file, now, leaseMs, token));
 * if (!claimed) return; // someone else owns it, or it already finished
 */
export interface JobRepository {
  /** Writes the job item (only if absent) and then its file items. @returns false when the job already existed */
  createJob(job: JobRecord, files: readonly FileRecord[]): Promise<boolean>;
  getJob(jobId: string): Promise<{ job: JobRecord; files: FileRecord[] } | undefined>;
  getFile(jobId: string, fileId: string): Promise<FileRecord | undefined>;
  /** @returns the updated file, or undefined when the condition did not hold (or the file is unknown) */
  updateFile(update: FileUpdate): Promise<FileRecord | undefined>;
  /**
   * Files in `status` whose pending clock is at or before `before` (epoch ms), oldest first,
   * at most `limit`. Read from an eventually consistent index: re-read a file before acting.
   */
  listPendingFiles(query: PendingQuery): Promise<PendingFile[]>;
  /**
   * Records `jobId` as the job of the `incoming/` object identified by `objectHash`, unless an
   * earlier event recorded one (conditional write). @returns the recorded job id
   */
  recordIncomingJob(objectHash: string, jobId: string, expiresAt: number): Promise<string>;
}

export interface PendingQuery {
  readonly status: PendingStatus;
  readonly before: number;
  readonly limit: number;
}

/** A candidate from the pending index (a projection: ids and the reconciler's bookkeeping). */
export interface PendingFile {
  readonly jobId: string;
  readonly fileId: string;
  readonly status: PendingStatus;
  readonly pendingSince: number;
  readonly requeues: number;
}

export interface ObjectInfo {
  readonly size: number;
  readonly contentType: string | undefined;
  /** User metadata (`x-amz-meta-*`), keys lower-case without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly eTag: string | undefined;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Sets Content-Disposition so a browser saves the object under this name. */
  readonly downloadName?: string;
}

export interface PutStreamOptions extends PutOptions {
  /** Aborting it stops the upload; the call then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** More bytes than this stop the upload (INPUT_TOO_LARGE). */
  readonly maxBytes?: number;
}

export interface PresignedPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface PresignedMultipart {
  readonly uploadId: string;
  /** One URL per part, part 1 first; the client PUTs each part and keeps the ETag header. */
  readonly partUrls: readonly string[];
  /** POST the CompleteMultipartUpload XML (part numbers and ETags) here. */
  readonly completeUrl: string;
}

/** One bucket. @example await inputs.put('jobs/<uuid>/0000/a.jpg', bytes, { contentType: 'image/jpeg' }) */
export interface ObjectStore {
  readonly bucket: string;
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /**
   * Streams `body` into `key` in bounded pieces (memory stays a few parts, whatever the size).
   * Settles only once nothing is in flight: when it rejects (the body failed, `maxBytes`
   * passed, `signal` aborted, S3 refused), no object and no part of it is left.
   * @returns the bytes stored
   * @throws CutoutError INPUT_TOO_LARGE over `maxBytes`; the body's error or the signal's reason as they are
   */
  putStream(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options?: PutStreamOptions,
  ): Promise<{ size: number }>;
  /** Removes the object; a missing object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Reads a whole object into memory. With `maxBytes`, an object over it is refused by its size
   * before any byte is read, and the read stops should more than that arrive anyway.
   * @throws CutoutError INPUT_NOT_FOUND when the object does not exist; INPUT_TOO_LARGE over `maxBytes`
   */
  get(key: string, options?: { readonly maxBytes?: number }): Promise<Uint8Array>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Streams the object to a local file (parent folders are created). @throws CutoutError INPUT_NOT_FOUND */
  getToFile(key: string, path: string): Promise<void>;
  /** Streams a local file up (multipart for large files). */
  putFile(key: string, path: string, options?: PutOptions): Promise<void>;
  presignGet(
    key: string,
    options: { expiresSeconds: number; downloadName?: string },
  ): Promise<string>;
  /** A POST form target whose policy pins the key, the Content-Type and the size range. */
  presignPost(
    key: string,
    options: { contentType: string; maxBytes: number; expiresSeconds: number },
  ): Promise<PresignedPost>;
  /** Part URLs signed with each part's exact length (`partSizes`, part 1 first): S3 refuses another size. */
  presignMultipart(
    key: string,
    options: { contentType: string; partSizes: readonly number[]; expiresSeconds: number },
  ): Promise<PresignedMultipart>;
}

/** The image and video queues. Messages carry ids only. */
export interface JobQueue {
  send(message: JobMessage): Promise<void>;
}

export interface ApiKeyRecord {
  /** sha256 of the key, hex. */
  readonly keyHash: string;
  /** Public identifier (usage plans, logs, job items); derived from the hash, not the key. */
  readonly keyId: string;
  readonly name: string;
  readonly createdAt: string;
  /** ISO instant the key stops working; absent: never (keys made before expiry existed). */
  readonly expiresAt?: string;
  /** ISO instant the key was revoked; absent: not revoked. */
  readonly revokedAt?: string;
  /** The key's own request limits; absent: the deployment's defaults. */
  readonly limits?: ApiKeyLimits;
}

/** A key's own request limits (each one optional; an absent one is the deployment's). */
export interface ApiKeyLimits {
  /** Steady requests per second. */
  readonly rateLimit?: number;
  /** Requests the key may send at once. */
  readonly burstLimit?: number;
  /** Requests per day. */
  readonly dailyQuota?: number;
}

/** API keys, stored only as hashes. */
export interface KeyStore {
  put(record: ApiKeyRecord): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /**
   * Marks the key with this id revoked at `revokedAt` (a key already revoked keeps its first
   * time) and returns it; undefined when no key has the id.
   */
  revoke(keyId: string, revokedAt: string): Promise<ApiKeyRecord | undefined>;
}

/** Local working folders for video files (the worker's disk). */
export interface Scratch {
  /** Creates an empty folder and returns its absolute path. */
  makeDir(label: string): Promise<string>;
  remove(dir: string): Promise<void>;
}

export interface ProcessedOutput {
  readonly contentType: string;
  /** Without the dot (`png`, `mov`); informative, the output name was fixed at job creation. */
  readonly extension: string;
  /** The manifest id that actually ran. */
  readonly modelId: string;
  readonly warnings: readonly string[];
  /** Images: the output's dimensions and the subject's box in them (null: no subject found). */
  readonly geometry?: OutputGeometry;
}

/** An image result's size and the subject's bounding box in its pixels. */
export interface OutputGeometry {
  readonly width: number;
  readonly height: number;
  readonly bbox: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  } | null;
}

export interface ImageProcessorContext {
  readonly fileName: string;
  /** The background image's bytes when `bg_type=image`. */
  readonly background?: Uint8Array;
  /**
   * Aborted when the file's deadline passes (or the worker gives the file up); the processor
   * stops its work and child processes promptly and rejects with the signal's reason.
   */
  readonly signal: AbortSignal;
  /** 0-1; cheap to call often (the worker throttles writes). */
  onProgress(fraction: number): void;
}

/**
 * Turns one input image into one output. Throws CutoutError: non-retryable codes
 * (DECODE_FAILED, UNSUPPORTED_MEDIA, INPUT_TOO_LARGE, ...) fail the file; retryable ones
 * (MODEL_UNAVAILABLE, ...) and anything else lead to redelivery.
 */
export type ImageProcessor = (
  input: Uint8Array,
  options: ImageOptions,
  ctx: ImageProcessorContext,
) => Promise<ProcessedOutput & { readonly data: Uint8Array }>;

export interface VideoProcessorContext {
  readonly fileName: string;
  /** Local path of the background image or video, when the format needs one. */
  readonly backgroundPath?: string;
  /** An empty scratch folder for intermediate files and the output. */
  readonly workDir: string;
  /** As for images: the file's deadline; reaches ffprobe, every ffmpeg process and inference. */
  readonly signal: AbortSignal;
  onProgress(fraction: number): void;
}

/** Like ImageProcessor, but through local files so a long video never sits in memory. */
export type VideoProcessor = (
  inputPath: string,
  options: VideoOptions,
  ctx: VideoProcessorContext,
) => Promise<ProcessedOutput & { readonly path: string }>;

export interface Processors {
  readonly image?: ImageProcessor;
  readonly video?: VideoProcessor;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
