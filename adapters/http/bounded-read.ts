import type { Readable } from 'node:stream';
import { describeBytes } from '../../core/config/inline-limit.ts';
import { CutoutError } from '../../core/errors.ts';

/**
 * Reads a small request body into memory, refusing it past `maxBytes` without reading further.
 * The body is left unread, not destroyed, on failure: the server still answers on it. Every
 * front door reads its small bodies through here (a convert body without files, /v1/results,
 * the lambda door's emulated payload).
 *
 * @throws CutoutError INPUT_TOO_LARGE past `maxBytes`, INVALID_REQUEST when the body is cut
 *   off; the signal's reason when it aborts first
 */
export function readBoundedBody(
  body: Readable,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: unknown, value?: Buffer) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve(value ?? Buffer.alloc(0));
      else {
        body.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        settle(
          new CutoutError(
            'INPUT_TOO_LARGE',
            `body: over the ${describeBytes(maxBytes)} limit of a body without files; send files as multipart/form-data`,
            { field: 'body' },
          ),
        );
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(undefined, Buffer.concat(chunks, size));
    const cutOff = (cause?: unknown) =>
      settle(
        new CutoutError('INVALID_REQUEST', 'body: the request was cut off', {
          field: 'body',
          ...(cause === undefined ? {} : { cause }),
        }),
      );
    const onError = (cause: unknown) => cutOff(cause);
    const onClose = () => cutOff();
    const onAbort = () => settle(signal?.reason);
    if (signal?.aborted) {
      settle(signal.reason);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}
