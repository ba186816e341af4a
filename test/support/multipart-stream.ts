import { randomBytes } from 'node:crypto';
import { type ClientRequest, type IncomingHttpHeaders, request } from 'node:http';

/**
 * A multipart/form-data body framed by hand, so a test can send it at its own pace: fields,
 * then a file part whose bytes come from a generator (a gigabyte never exists at once), then
 * more fields (the seed's clients do not fix the order).
 */

export const BOUNDARY = '----cutout-test-boundary-7MA4YWxkTrZu0gW';

export type Field = readonly [name: string, value: string];

export interface FilePartHead {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
}

export function fieldsPart(fields: readonly Field[]): Buffer {
  return Buffer.from(
    fields
      .map(
        ([name, value]) =>
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join(''),
  );
}

export function fileHead(file: FilePartHead): Buffer {
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
      `Content-Type: ${file.contentType}\r\n\r\n`,
  );
}

/** Ends the file part and the body. */
export function closing(after: readonly Field[] = []): Buffer {
  return Buffer.concat([
    Buffer.from('\r\n'),
    fieldsPart(after),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** An MP4's opening box, so the bytes that follow at least start like a video. */
const MP4_HEAD = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');

/**
 * `total` bytes of "video" in chunks of `chunkBytes`: an MP4 header, then one random chunk sent
 * over and over (random so no layer can compress it; reused so memory stays flat).
 */
export function* syntheticVideo(total: number, chunkBytes = 1024 * 1024): Generator<Buffer> {
  const filler = randomBytes(chunkBytes);
  let sent = 0;
  const head = MP4_HEAD.subarray(0, Math.min(MP4_HEAD.length, total));
  yield head;
  sent += head.length;
  while (sent < total) {
    const n = Math.min(chunkBytes, total - sent);
    yield n === chunkBytes ? filler : filler.subarray(0, n);
    sent += n;
  }
}

export interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RawPost {
  readonly req: ClientRequest;
  /** Writes a chunk, waiting for the socket to take it (back-pressure). */
  write(chunk: Buffer): Promise<void>;
  end(): void;
  /** The server's answer (it may come before the body has been sent). */
  readonly reply: Promise<RawReply>;
}

/** A POST whose body the caller writes piece by piece. */
export function rawPost(url: string, headers: Record<string, string | number>): RawPost {
  const req = request(url, { method: 'POST', headers });
  const reply = new Promise<RawReply>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  // The answer may never come (a test that disconnects): do not fail the test for it.
  reply.catch(() => undefined);
  req.flushHeaders();
  return {
    req,
    write: (chunk) =>
      new Promise((resolve, reject) => {
        req.write(chunk, (error) => (error ? reject(error) : resolve()));
      }),
    end: () => req.end(),
    reply,
  };
}

/** Streams a whole multipart body from `parts` and resolves with the answer. */
export async function postParts(
  url: string,
  headers: Record<string, string | number>,
  parts: Iterable<Buffer>,
): Promise<RawReply> {
  const post = rawPost(url, { 'content-type': MULTIPART_TYPE, ...headers });
  for (const part of parts) {
    if (!post.req.writable) break;
    // A server that answers early (a refusal) closes the connection: the answer is what counts.
    const sent = await post.write(part).then(
      () => true,
      () => false,
    );
    if (!sent) break;
  }
  post.end();
  return post.reply;
}
