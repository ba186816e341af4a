import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
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
} from '../../core/jobs/ports.ts';
import { isNotFound, toAwsCutoutError } from './aws-errors.ts';

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
      const upload = new Upload({
        client: this.#s3,
        params: {
          Bucket: this.bucket,
          Key: key,
          Body: createReadStream(path),
          ...putParams(options),
        },
        queueSize: 4,
        partSize: 16 * 1024 * 1024,
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
