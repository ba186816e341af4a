import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isCutoutError } from '../../core/errors.ts';
import { objectTooLarge } from '../../core/jobs/job-limits.ts';
import type {
  ObjectInfo,
  ObjectStore,
  PresignedMultipart,
  PresignedPost,
  PutOptions,
  PutStreamOptions,
} from '../../core/jobs/ports.ts';
import { isNotFound, toAwsCutoutError } from './aws-errors.ts';
import { BoundedBody } from './bounded-body.ts';

const MIB = 1024 * 1024;
/**
 * A streamed upload holds about two parts in memory (the one being sent and the one being
 * filled): S3's smallest part, one in flight. Streaming 600 MB into the emulator (in another
 * process) grew the process by about 70 MiB this way, against about 110 MiB with two 8 MiB
 * parts in flight, which were faster there (48 s against 65 s). The body is not read while a
 * part is sent. Parts grow only when `maxBytes` needs more than 5 MiB x 10,000 parts (6 MiB at
 * the default 50 GiB cap).
 */
const STREAM_PART_BYTES = 5 * MIB;
const STREAM_QUEUE = 1;
const MAX_PARTS = 10_000;

function streamPartSize(maxBytes: number | undefined): number {
  if (maxBytes === undefined) return STREAM_PART_BYTES;
  return Math.max(STREAM_PART_BYTES, Math.ceil(maxBytes / MAX_PARTS / MIB) * MIB);
}

const SIGNED_PART_HEADERS = new Set(['content-length']);

/** `attachment; filename=...` with an RFC 6266 UTF-8 form for names beyond ASCII. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function putParams(options: PutOptions | undefined) {
  return {
    ...(options?.contentType ? { ContentType: options.contentType } : {}),
    ...(options?.metadata ? { Metadata: { ...options.metadata } } : {}),
    ...(options?.downloadName
      ? { ContentDisposition: contentDisposition(options.downloadName) }
      : {}),
  };
}

/** Reads a stream into one buffer, giving up as soon as it passes `maxBytes`. */
async function readBounded(body: Readable, maxBytes: number, key: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    const bytes = chunk as Uint8Array;
    total += bytes.byteLength;
    if (total > maxBytes) {
      body.destroy();
      throw objectTooLarge(key, undefined, maxBytes);
    }
    chunks.push(bytes);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

/** One S3 bucket behind the ObjectStore port. */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  readonly #s3: S3Client;
  readonly #presign: S3Client;

  /** @param presign a client built with requestChecksumCalculation WHEN_REQUIRED (see clients.ts) */
  constructor(s3: S3Client, presign: S3Client, bucket: string) {
    this.#s3 = s3;
    this.#presign = presign;
    this.bucket = bucket;
  }

  async put(key: string, body: Uint8Array, options?: PutOptions): Promise<void> {
    try {
      await this.#s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ...putParams(options) }),
      );
    } catch (error) {
      throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
    }
  }

  async putStream(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: PutStreamOptions = {},
  ): Promise<{ size: number }> {
    const { signal, maxBytes, ...put } = options;
    signal?.throwIfAborted();
    const bounded = new BoundedBody(body, key, options);
    // Upload.abort() would settle done() while parts are still in flight and abort the upload
    // only afterwards; ending the body instead lets done() settle after lib-storage has sent
    // AbortMultipartUpload (leavePartsOnError false), so a rejection leaves nothing behind.
    const upload = new Upload({
      client: this.#s3,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: Readable.from(bounded.chunks(), { objectMode: false, highWaterMark: MIB }),
        ...putParams(put),
      },
      queueSize: STREAM_QUEUE,
      partSize: streamPartSize(maxBytes),
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      if (bounded.failure !== undefined) throw bounded.failure;
      if (signal?.aborted) throw signal.reason;
      throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
    }
    if (signal?.aborted) {
      // Aborted while the last part completed: the object exists, and must not.
      await this.delete(key);
      throw signal.reason;
    }
    return { size: bounded.size };
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
    }
  }

  async get(key: string, options?: { readonly maxBytes?: number }): Promise<Uint8Array> {
    const maxBytes = options?.maxBytes;
    let out: GetObjectCommandOutput;
    try {
      out = await this.#s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw Object.assign(new Error('empty body'), { name: 'NoSuchKey' });
    } catch (error) {
      throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
    }
    const body = out.Body as Readable;
    if (maxBytes !== undefined && (out.ContentLength ?? 0) > maxBytes) {
      // Only the response headers have arrived; dropping the stream leaves the body unread.
      body.destroy();
      throw objectTooLarge(key, out.ContentLength, maxBytes);
    }
    try {
      return await readBounded(body, maxBytes ?? Number.POSITIVE_INFINITY, key);
    } catch (error) {
      if (isCutoutError(error)) throw error;
      throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.#s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: out.ContentLength ?? 0,
        contentType: out.ContentType,
        metadata: out.Metadata ?? {},
        eTag: out.ETag,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
    }
  }

  async getToFile(key: string, path: string): Promise<void> {
    try {
      const out = await this.#s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      await mkdir(dirname(path), { recursive: true });
      await pipeline(out.Body as Readable, createWriteStream(path));
    } catch (error) {
      throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
    }
  }

  async putFile(key: string, path: string, options?: PutOptions): Promise<void> {
    try {
      // lib-storage switches to multipart above one part, so a large video streams in pieces.
      // 8 MiB parts: the S3 emulator (fauxqs) takes at most 11 MiB per request, so a larger
      // part failed every local result over 11 MiB; on S3 it only means more parts.
      const upload = new Upload({
        client: this.#s3,
        params: {
          Bucket: this.bucket,
          Key: key,
          Body: createReadStream(path),
          ...putParams(options),
        },
        queueSize: 4,
        partSize: 8 * 1024 * 1024,
      });
      await upload.done();
    } catch (error) {
      throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
    }
  }

  async presignGet(
    key: string,
    options: { expiresSeconds: number; downloadName?: string },
  ): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(options.downloadName
        ? { ResponseContentDisposition: contentDisposition(options.downloadName) }
        : {}),
    });
    return getSignedUrl(this.#presign, command, { expiresIn: options.expiresSeconds });
  }

  async presignPost(
    key: string,
    options: { contentType: string; maxBytes: number; expiresSeconds: number },
  ): Promise<PresignedPost> {
    const post = await createPresignedPost(this.#presign, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [
        ['content-length-range', 1, options.maxBytes],
        ['eq', '$Content-Type', options.contentType],
      ],
      Fields: { 'Content-Type': options.contentType },
      Expires: options.expiresSeconds,
    });
    return { url: post.url, fields: post.fields };
  }

  async presignMultipart(
    key: string,
    options: { contentType: string; partSizes: readonly number[]; expiresSeconds: number },
  ): Promise<PresignedMultipart> {
    const created = await this.#s3
      .send(
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          ContentType: options.contentType,
        }),
      )
      .catch((error: unknown) => {
        throw toAwsCutoutError(error, `s3://${this.bucket}/${key}`);
      });
    const uploadId = created.UploadId;
    if (!uploadId) throw toAwsCutoutError(new Error('no UploadId'), `s3://${this.bucket}/${key}`);
    const expiresIn = options.expiresSeconds;
    // Content-Length is signed (named explicitly, whatever the signer's defaults), so S3
    // refuses a part of any other size: the parts cannot add up to more than was declared.
    const partUrls = await Promise.all(
      options.partSizes.map((length, i) =>
        getSignedUrl(
          this.#presign,
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: i + 1,
            ContentLength: length,
          }),
          { expiresIn, signableHeaders: SIGNED_PART_HEADERS },
        ),
      ),
    );
    const completeUrl = await getSignedUrl(
      this.#presign,
      new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      { expiresIn },
    );
    return { uploadId, partUrls, completeUrl };
  }
}
