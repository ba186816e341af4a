import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { describeBytes } from '../../core/config/inline-limit.ts';
import { CutoutError, invalidField } from '../../core/errors.ts';
import { addFormField } from '../../core/jobs/image-urls.ts';
import type { JobKind } from '../../core/jobs/job.ts';
import { parseConvertTo, type RawFields } from '../../core/params/convert-params.ts';
import { filePartRole } from '../../functions/shared/convert-parts.ts';

/**
 * Reads a multipart/form-data request as it arrives: text fields are collected, each file part
 * is handed over as a stream while the body is still coming in, and nothing holds a whole file.
 * Fields may come after the files (the order of the seed's clients is not fixed), so what a
 * field decides is applied at the end; only the size cap is applied while a file streams, from
 * what is known by then.
 */

export interface StreamFormLimits {
  readonly maxImageBytes: number;
  readonly maxUploadBytes: number;
  /** File parts per request, inputs and background together. */
  readonly maxFileParts: number;
  readonly maxFields: number;
  readonly maxFieldBytes: number;
}

/** One file part, handed over while it streams. */
export interface StreamedPart {
  readonly field: string;
  readonly role: 'input' | 'background';
  /** As the client sent it (sanitise before use). */
  readonly filename: string;
  readonly contentType: string | undefined;
  /** The part's bytes; over `maxBytes` the read fails with INPUT_TOO_LARGE and so does the form. */
  readonly body: AsyncIterable<Uint8Array>;
  readonly maxBytes: number;
  /** Aborted, with the form's error as reason, as soon as the form fails. */
  readonly signal: AbortSignal;
}

export interface StreamFormOptions<T> {
  readonly limits: StreamFormLimits;
  /** The request's own end: a client gone or too slow. Its reason is the error to reject with. */
  readonly signal?: AbortSignal;
  /**
   * Takes a file part: reads its body to the end and resolves, or returns undefined to leave
   * it (it is then read and dropped). Parts of fields that are neither inputs nor a background
   * never reach it, as the Lambda ignores them.
   */
  onFile(part: StreamedPart): Promise<T> | undefined;
}

export interface StreamedForm<T> {
  /** Text fields; `image_url` repeated into a list (core/jobs/image-urls.ts addFormField). */
  readonly fields: Record<string, unknown>;
  /** What `onFile` resolved to, in the order the parts arrived. */
  readonly files: readonly T[];
}

const KIND_NAMES: Readonly<Record<JobKind, string>> = { image: 'images', video: 'videos' };

/** The kind `convert_to` names so far, if it names one. */
function kindSoFar(fields: RawFields): JobKind | undefined {
  try {
    return parseConvertTo(fields) === 'image-backgroundremover' ? 'image' : 'video';
  } catch {
    return undefined;
  }
}

/** A file's cap: its kind's once `convert_to` was seen, else the larger of the two. */
export function fileCap(
  fields: RawFields,
  limits: Pick<StreamFormLimits, 'maxImageBytes' | 'maxUploadBytes'>,
): { maxBytes: number; kind: JobKind | undefined } {
  const kind = kindSoFar(fields);
  if (kind === 'image') return { maxBytes: limits.maxImageBytes, kind };
  if (kind === 'video') return { maxBytes: limits.maxUploadBytes, kind };
  return { maxBytes: Math.max(limits.maxImageBytes, limits.maxUploadBytes), kind };
}

export function partTooLarge(
  field: string,
  filename: string,
  maxBytes: number,
  kind: JobKind | undefined,
): CutoutError {
  const what = kind ? `for ${KIND_NAMES[kind]}` : 'for one file';
  return new CutoutError(
    'INPUT_TOO_LARGE',
    `'${filename}' is over the ${describeBytes(maxBytes)} limit ${what}`,
    { field, file: filename, subject: field },
  );
}

function noFileName(field: string): CutoutError {
  return invalidField(
    field,
    `this part has no file name; send the file as a file part (Content-Disposition: form-data; name="${field}"; filename="photo.jpg")`,
  );
}

/**
 * Reads the form. On any failure (malformed body, a limit, a part over its cap, `onFile`
 * rejecting, the body cut off, `signal` aborted) it stops reading, aborts every part's signal,
 * waits until every `onFile` has settled and only then rejects, so the caller can clean up
 * knowing nothing is still being written. The body is left unread, not destroyed: the server
 * still answers on it.
 *
 * @throws CutoutError INVALID_REQUEST (naming the field), INPUT_TOO_LARGE (naming the field, the
 *   file and the limit); the signal's reason; what `onFile` rejected with
 */
export function readStreamForm<T>(
  body: Readable,
  contentType: string,
  options: StreamFormOptions<T>,
): Promise<StreamedForm<T>> {
  const { limits, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: {
          files: limits.maxFileParts,
          fields: limits.maxFields,
          fieldSize: limits.maxFieldBytes + 1,
        },
        defParamCharset: 'utf8',
      });
    } catch (cause) {
      reject(
        new CutoutError('INVALID_REQUEST', 'Content-Type: multipart boundary missing', { cause }),
      );
      return;
    }

    const form = new AbortController();
    const fields: Record<string, unknown> = {};
    const taken: Promise<T>[] = [];
    let failure: { error: unknown } | undefined;
    let current: Readable | undefined;
    let bodyEnded = false;
    let finished = false;

    const finish = async () => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      const results = await Promise.allSettled(taken);
      if (failure) return reject(failure.error);
      const rejected = results.find((r) => r.status === 'rejected');
      if (rejected) return reject(rejected.reason);
      resolve({ fields, files: results.map((r) => (r as PromiseFulfilledResult<T>).value) });
    };

    const fail = (error: unknown) => {
      if (failure || finished) return;
      failure = { error };
      form.abort(error);
      body.unpipe(parser);
      body.pause();
      current?.destroy(error instanceof Error ? error : undefined);
      parser.destroy();
      void finish();
    };
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    parser.on('field', (name, value, info) => {
      if (filePartRole(name)) return fail(noFileName(name));
      if (info.valueTruncated) {
        return fail(invalidField(name, `is over the ${describeBytes(limits.maxFieldBytes)} limit`));
      }
      addFormField(fields, name, value);
    });

    parser.on('file', (field, stream, info) => {
      // Its failures reach the form through the reader or `fail`; unread, it would throw.
      stream.on('error', () => undefined);
      const role = filePartRole(field);
      if (failure || !role) {
        stream.resume();
        return;
      }
      if (!info.filename) {
        stream.resume();
        return fail(noFileName(field));
      }
      const filename = info.filename;
      const { maxBytes, kind } = fileCap(fields, limits);
      current = stream;
      stream.once('close', () => {
        if (current === stream) current = undefined;
      });
      async function* capped(): AsyncGenerator<Uint8Array> {
        let size = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          size += chunk.byteLength;
          if (size > maxBytes) {
            const error = partTooLarge(field, filename, maxBytes, kind);
            fail(error);
            throw error;
          }
          yield chunk;
        }
        // A part cut short by a failure elsewhere must not read as a complete file.
        form.signal.throwIfAborted();
      }
      let handed: Promise<T> | undefined;
      try {
        handed = options.onFile({
          field,
          role,
          filename,
          contentType: info.mimeType,
          body: capped(),
          maxBytes,
          signal: form.signal,
        });
      } catch (error) {
        stream.resume();
        return fail(error);
      }
      if (!handed) {
        stream.resume();
        return;
      }
      taken.push(handed);
      handed.catch(fail);
    });

    parser.on('filesLimit', () =>
      fail(invalidField('files', `at most ${limits.maxFileParts} file parts per request`)),
    );
    parser.on('fieldsLimit', () =>
      fail(invalidField('body', `at most ${limits.maxFields} fields per request`)),
    );
    parser.on('error', (cause: unknown) => {
      const reason = cause instanceof Error ? ` (${cause.message})` : '';
      fail(
        new CutoutError('INVALID_REQUEST', `body: malformed multipart/form-data${reason}`, {
          field: 'body',
          cause,
        }),
      );
    });
    parser.on('close', () => {
      if (!failure) void finish();
    });

    body.once('end', () => {
      bodyEnded = true;
    });
    body.once('error', (cause) =>
      fail(
        new CutoutError('INVALID_REQUEST', 'body: the request was cut off', {
          field: 'body',
          cause,
        }),
      ),
    );
    body.once('close', () => {
      if (!bodyEnded) {
        fail(
          new CutoutError('INVALID_REQUEST', 'body: the request was cut off', { field: 'body' }),
        );
      }
    });
    body.pipe(parser);
  });
}
