import { Readable } from 'node:stream';

/**
 * A multipart/form-data body generated as it is read, never held whole: file parts of any size
 * are produced in 64 KiB chunks of a byte pattern. It can also end the way a client that
 * disconnects does: destroyed after a given number of bytes.
 */

export type FormPart =
  | { readonly field: string; readonly value: string }
  | {
      readonly field: string;
      /** Omitted: the part has no file name (its Content-Disposition lacks `filename`). */
      readonly filename?: string;
      readonly contentType?: string;
      /** Bytes to generate, or the bytes themselves. */
      readonly data: number | Uint8Array;
    };

export interface StreamedFormOptions {
  /** Destroys the stream once this many bytes have been read (a client gone mid-upload). */
  readonly cutAfterBytes?: number;
}

const CHUNK = 64 * 1024;
const BOUNDARY = '----cutout-streamed-form-7d1e';

/** The byte at offset `i` of a generated file: a pattern whose sum a test can check. */
export function patternByte(i: number): number {
  return (i * 31 + 7) & 0xff;
}

function* patternChunks(size: number): Generator<Buffer> {
  for (let offset = 0; offset < size; offset += CHUNK) {
    const length = Math.min(CHUNK, size - offset);
    const chunk = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) chunk[i] = patternByte(offset + i);
    yield chunk;
  }
}

function* formChunks(parts: readonly FormPart[]): Generator<Buffer> {
  for (const part of parts) {
    if ('value' in part) {
      yield Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.field}"\r\n\r\n${part.value}\r\n`,
      );
      continue;
    }
    const name = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.contentType ? `Content-Type: ${part.contentType}\r\n` : '';
    yield Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.field}"${name}\r\n${type}\r\n`,
    );
    if (typeof part.data === 'number') yield* patternChunks(part.data);
    else yield Buffer.from(part.data);
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${BOUNDARY}--\r\n`);
}

class GeneratedBody extends Readable {
  readonly #chunks: Iterator<Buffer>;
  readonly #cutAfter: number;
  sent = 0;

  constructor(chunks: Iterator<Buffer>, cutAfter: number) {
    super();
    this.#chunks = chunks;
    this.#cutAfter = cutAfter;
  }

  override _read(): void {
    const next = this.#chunks.next();
    if (next.done) {
      this.push(null);
      return;
    }
    const room = this.#cutAfter - this.sent;
    if (next.value.byteLength >= room) {
      this.sent += room;
      if (room > 0) this.push(next.value.subarray(0, room));
      // As a socket closes under a client that went away: no end, no error.
      setImmediate(() => this.destroy());
      return;
    }
    this.sent += next.value.byteLength;
    this.push(next.value);
  }
}

export function streamedForm(
  parts: readonly FormPart[],
  options: StreamedFormOptions = {},
): { body: GeneratedBody; contentType: string; headers: Record<string, string> } {
  const contentType = `multipart/form-data; boundary=${BOUNDARY}`;
  return {
    body: new GeneratedBody(formChunks(parts), options.cutAfterBytes ?? Number.POSITIVE_INFINITY),
    contentType,
    headers: { 'content-type': contentType },
  };
}

/** A whole body (JSON, a URL-encoded form) as a stream, the way a request delivers it. */
export function streamedBody(body: string | Buffer, contentType: string) {
  return {
    body: Readable.from([Buffer.from(body)]),
    headers: { 'content-type': contentType },
  };
}
