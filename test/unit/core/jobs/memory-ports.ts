import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BoundedBody } from '../../../../adapters/aws/bounded-body.ts';
import { CutoutError } from '../../../../core/errors.ts';
import type { FileRecord, JobRecord } from '../../../../core/jobs/job.ts';
import { objectTooLarge } from '../../../../core/jobs/job-limits.ts';
import type { JobMessage } from '../../../../core/jobs/job-message.ts';
import {
  initialPendingSince,
  isPending,
  pendingSinceAfter,
} from '../../../../core/jobs/pending-files.ts';
import type {
  ApiKeyRecord,
  Clock,
  FileUpdate,
  JobQueue,
  JobRepository,
  KeyStore,
  ObjectInfo,
  ObjectStore,
  PendingFile,
  PendingQuery,
  PresignedMultipart,
  PresignedPost,
  PutOptions,
  PutStreamOptions,
} from '../../../../core/jobs/ports.ts';
import { applyFileUpdate } from '../../../../core/jobs/transitions.ts';

/** In-memory ports with the adapters' semantics, for unit tests of the use cases. */

export class MemoryJobRepository implements JobRepository {
  readonly jobs = new Map<string, JobRecord>();
  readonly files = new Map<string, FileRecord>();
  readonly updates: FileUpdate[] = [];
  /** The pending index: clock and re-queue count per `jobId/fileId`, as the adapter keeps it. */
  readonly pending = new Map<string, { since: number; requeues: number }>();
  /** `incoming/` dedupe records: object hash -> job id. */
  readonly incoming = new Map<string, string>();

  async createJob(job: JobRecord, files: readonly FileRecord[]): Promise<boolean> {
    const created = !this.jobs.has(job.jobId);
    if (created) this.jobs.set(job.jobId, job);
    for (const f of files) {
      const id = `${f.jobId}/${f.fileId}`;
      if (this.files.has(id)) continue;
      this.files.set(id, f);
      const since = initialPendingSince(f);
      if (since !== undefined) this.pending.set(id, { since, requeues: 0 });
    }
    return created;
  }

  async listPendingFiles(query: PendingQuery): Promise<PendingFile[]> {
    const found: PendingFile[] = [];
    for (const [id, entry] of this.pending) {
      const file = this.files.get(id);
      if (!file || file.status !== query.status || !isPending(file.status)) continue;
      if (entry.since > query.before) continue;
      found.push({
        jobId: file.jobId,
        fileId: file.fileId,
        status: file.status,
        pendingSince: entry.since,
        requeues: entry.requeues,
      });
    }
    return found.sort((a, b) => a.pendingSince - b.pendingSince).slice(0, query.limit);
  }

  async recordIncomingJob(objectHash: string, jobId: string, _expiresAt: number): Promise<string> {
    const recorded = this.incoming.get(objectHash);
    if (recorded) return recorded;
    this.incoming.set(objectHash, jobId);
    return jobId;
  }

  async getJob(jobId: string) {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    const files = [...this.files.values()]
      .filter((f) => f.jobId === jobId)
      .sort((a, b) => a.fileId.localeCompare(b.fileId));
    return { job, files };
  }

  async getFile(jobId: string, fileId: string) {
    return this.files.get(`${jobId}/${fileId}`);
  }

  async updateFile(update: FileUpdate) {
    this.updates.push(update);
    const id = `${update.jobId}/${update.fileId}`;
    const current = this.files.get(id);
    const next = current ? applyFileUpdate(current, update) : undefined;
    if (next) {
      this.files.set(id, next);
      const since = pendingSinceAfter(update);
      if (since === null) this.pending.delete(id);
      else if (since !== undefined) {
        const requeues = update.set.requeues ?? this.pending.get(id)?.requeues ?? 0;
        this.pending.set(id, { since, requeues });
      }
    }
    return next;
  }
}

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { data: Uint8Array; options: PutOptions | undefined }>();
  readonly bucket: string;

  constructor(bucket = 'memory') {
    this.bucket = bucket;
  }

  async put(key: string, body: Uint8Array, options?: PutOptions) {
    this.objects.set(key, { data: body, options });
  }

  /** Keys deleted, in order (a missing key too: delete is idempotent). */
  readonly deletes: string[] = [];

  /** Like the S3 adapter: the object appears only once the whole body has been read. */
  async putStream(key: string, body: AsyncIterable<Uint8Array>, options: PutStreamOptions = {}) {
    const { signal, maxBytes: _maxBytes, ...put } = options;
    signal?.throwIfAborted();
    const bounded = new BoundedBody(body, key, options);
    const chunks: Uint8Array[] = [];
    for await (const chunk of bounded.chunks()) chunks.push(chunk);
    this.objects.set(key, { data: new Uint8Array(Buffer.concat(chunks)), options: put });
    return { size: bounded.size };
  }

  async delete(key: string) {
    this.deletes.push(key);
    this.objects.delete(key);
  }

  /** Keys read with `get`, in order (a refused read is not listed: nothing was read). */
  readonly reads: string[] = [];

  async get(key: string, options?: { readonly maxBytes?: number }) {
    const object = this.objects.get(key);
    if (!object) throw new CutoutError('INPUT_NOT_FOUND', `${key} does not exist`);
    if (options?.maxBytes !== undefined && object.data.byteLength > options.maxBytes) {
      throw objectTooLarge(key, object.data.byteLength, options.maxBytes);
    }
    this.reads.push(key);
    return object.data;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const object = this.objects.get(key);
    if (!object) return undefined;
    return {
      size: object.data.byteLength,
      contentType: object.options?.contentType,
      metadata: object.options?.metadata ?? {},
      eTag: `"etag-${key}-${object.data.byteLength}"`,
    };
  }

  async getToFile(key: string, path: string): Promise<void> {
    const data = await this.get(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
  }

  async putFile(key: string, path: string, options?: PutOptions): Promise<void> {
    this.objects.set(key, { data: new Uint8Array(await readFile(path)), options });
  }

  async presignGet(key: string, options: { expiresSeconds: number }) {
    return `https://${this.bucket}.example/${key}?expires=${options.expiresSeconds}`;
  }

  async presignPost(
    key: string,
    options: { contentType: string; maxBytes: number },
  ): Promise<PresignedPost> {
    return {
      url: `https://${this.bucket}.example/`,
      fields: { key, 'Content-Type': options.contentType, max: String(options.maxBytes) },
    };
  }

  async presignMultipart(
    key: string,
    options: { partSizes: readonly number[] },
  ): Promise<PresignedMultipart> {
    return {
      uploadId: `upload-${key}`,
      partUrls: options.partSizes.map((size, i) => `https://part/${i + 1}?length=${size}`),
      completeUrl: 'https://complete',
    };
  }
}

export class MemoryJobQueue implements JobQueue {
  readonly sent: JobMessage[] = [];
  async send(message: JobMessage) {
    this.sent.push(message);
  }
}

export class MemoryKeyStore implements KeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  async put(record: ApiKeyRecord) {
    this.records.set(record.keyHash, record);
  }
  async findByHash(keyHash: string) {
    return this.records.get(keyHash);
  }
  async list() {
    return [...this.records.values()];
  }
  async revoke(keyId: string, revokedAt: string) {
    const found = [...this.records.values()].find((r) => r.keyId === keyId);
    if (!found) return undefined;
    const revoked = { ...found, revokedAt: found.revokedAt ?? revokedAt };
    this.records.set(found.keyHash, revoked);
    return revoked;
  }
}

export class FakeClock implements Clock {
  time: number;
  constructor(time = Date.parse('2026-01-01T00:00:00Z')) {
    this.time = time;
  }
  now() {
    return this.time;
  }
  advance(ms: number) {
    this.time += ms;
  }
}
