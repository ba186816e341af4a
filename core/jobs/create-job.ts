import { randomUUID } from 'node:crypto';
import { assertCommercialSafe } from '../models/licence.ts';
import type { OutboundUrlRules } from '../outbound/outbound-url.ts';
import { convertAnswerSchema } from './convert-answer-schema.ts';
import { outputExtension, outputNames } from './file-names.ts';
import type { FileRecord, JobRecord } from './job.ts';
import { stagedElsewhere, storeBackground } from './job-background.ts';
import { newFileRecords, requestEntry, uploadEntry } from './job-entries.ts';
import { DEFAULT_JOB_LIMITS, type JobLimits } from './job-limits.ts';
import { type CreateJobRequest, isStaged, readJobRequest } from './job-request.ts';
import { parseInputKey } from './object-keys.ts';
import {
  type Clock,
  type JobQueue,
  type JobRepository,
  type ObjectStore,
  systemClock,
} from './ports.ts';
import { planParts, signUploadTargets, type UploadTarget } from './upload-targets.ts';

export type { CreateJobRequest, InlineFile, RequestFile, StagedFile } from './job-request.ts';
export type { UploadTarget } from './upload-targets.ts';

export interface CreateJobDeps {
  readonly repo: JobRepository;
  readonly inputs: ObjectStore;
  readonly queue: JobQueue;
  readonly clock?: Clock;
  readonly newId?: () => string;
  readonly limits?: Partial<JobLimits>;
  /** Model ids (and aliases) workers can run; when given, others are refused up front. */
  readonly knownModels?: ReadonlySet<string>;
  /**
   * Requestable ids a commercial-safe deployment refuses, with the model and licence behind each
   * (core/models/licence.ts `nonPermissiveModels`); absent: every known model may run.
   */
  readonly refusedModels?: ReadonlyMap<string, { readonly modelId: string; readonly spdx: string }>;
  /** Which `image_url` schemes this deployment fetches (default https only). */
  readonly imageUrlRules?: OutboundUrlRules;
}

export interface CreateJobResult {
  readonly uuid: string;
  /** Present in uploads mode: one target per requested upload, in order. */
  readonly uploads?: readonly UploadTarget[];
}

/**
 * Creates a job from a convert request.
 *
 * 1. Parse the options (400 naming the field) and decide inline files vs `uploads`
 *    (readJobRequest).
 * 2. Check counts, media types, sizes (images by the image cap, videos by the upload cap:
 *    job-entries.ts) and the background the options need (storeBackground).
 * 3. Inline: store the inputs, write the job and its files as `queued`, enqueue each file.
 *    Staged (already streamed into the inputs bucket under this job's id, `deps.newId`): the
 *    same, without storing them again; each record keeps its staged key.
 *    Image URLs (`image_url`) become files after the parts, `queued` with their `sourceUrl`; the
 *    worker fetches each through the outbound guard (image-url-input.ts).
 *    Uploads: sign the targets (part URLs shared out under `maxPartUrls`, the whole answer under
 *    `maxResponseBytes`: upload-targets.ts), then write the files as `waiting_upload`; the upload event queues
 *    each file (markUploaded).
 *
 * @throws CutoutError INVALID_REQUEST, UNSUPPORTED_MEDIA, INPUT_TOO_LARGE
 */
export async function createJob(
  request: CreateJobRequest,
  deps: CreateJobDeps,
): Promise<CreateJobResult> {
  const limits = { ...DEFAULT_JOB_LIMITS, ...deps.limits };
  const { options, uploads, needed, background, webhook, imageUrls } = readJobRequest(
    request,
    limits,
    deps.knownModels,
    deps.imageUrlRules,
  );
  assertCommercialSafe(options.model, deps.refusedModels);
  const kind = options.kind;

  const now = (deps.clock ?? systemClock).now();
  const jobId = (deps.newId ?? randomUUID)();
  const createdAt = new Date(now).toISOString();
  const expiresAt = Math.floor(now / 1000) + limits.ttlDays * 86_400;

  const entries = uploads
    ? uploads.map((u, i) => uploadEntry(u, i, kind, limits))
    : [
        ...request.files.map((f) => requestEntry(f, kind, limits)),
        ...imageUrls.map((u) => ({
          name: u.name,
          contentType: u.contentType,
          size: undefined,
          sourceUrl: u.url,
        })),
      ];
  for (const f of request.files) {
    if (isStaged(f) && parseInputKey(f.key)?.jobId !== jobId) throw stagedElsewhere(f.key, jobId);
  }
  const parts = uploads ? planParts(uploads, limits) : [];
  const names = outputNames(
    entries.map((e) => e.name),
    outputExtension(options),
  );
  const bgKey =
    background && needed
      ? await storeBackground(background, needed, jobId, deps.inputs, limits)
      : undefined;
  const status = uploads ? 'waiting_upload' : 'queued';
  const files = newFileRecords(jobId, entries, names, status, createdAt, expiresAt);
  const job: JobRecord = {
    jobId,
    kind,
    source: 'api',
    options,
    apiKeyId: request.apiKeyId,
    fileCount: files.length,
    backgroundKey: bgKey,
    errors: [],
    createdAt,
    expiresAt,
    ...(webhook ? { webhook } : {}),
  };

  if (uploads) {
    // Targets are minted before the items are written, so an answer too large to send leaves
    // no job behind (only empty multipart uploads, which the bucket's lifecycle aborts).
    // Through the schema the API document is made from: an answer that strays from it fails here.
    const answer = convertAnswerSchema.parse(
      await signUploadTargets(jobId, files, uploads, parts, deps.inputs, limits),
    );
    await deps.repo.createJob(job, files);
    return answer;
  }
  await Promise.all(
    request.files.map(async (f, i) => {
      if (isStaged(f)) return;
      const file = files[i] as FileRecord;
      await deps.inputs.put(file.inputKey, f.data, {
        ...(file.contentType ? { contentType: file.contentType } : {}),
      });
    }),
  );
  await deps.repo.createJob(job, files);
  await Promise.all(files.map((f) => deps.queue.send({ v: 1, jobId, fileId: f.fileId, kind })));
  return convertAnswerSchema.parse({ uuid: jobId });
}
