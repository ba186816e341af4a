import { Readable } from 'node:stream';

/**
 * A request body as the upload reads it, with two things the server needs to know: how many
 * bytes came in (the access log), and whether the client has gone quiet. The idle clock runs
 * only while the reader is waiting for the client: a body paused because S3 is slower than the
 * client is not the client's fault, and a body read to its end is no longer timed at all.
 */

export interface WatchedBody {
  readonly body: Readable;
  /** Bytes received so far. */
  bytes(): number;
  /** Whether the client sent the whole body. */
  complete(): boolean;
  /** Stops the clock and detaches from the request. */
  dispose(): void;
}

export interface WatchOptions {
  readonly idleMs: number;
  /** Called once when the client sent nothing for `idleMs` while the reader waited. */
  readonly onIdle: () => void;
  /** Aborting ends the body with the signal's reason. */
  readonly signal: AbortSignal;
}

export function watchBody(source: Readable, options: WatchOptions): WatchedBody {
  let received = 0;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const disarm = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const arm = () => {
    if (ended || options.signal.aborted) return;
    if (timer) timer.refresh();
    else timer = setTimeout(options.onIdle, options.idleMs);
  };
  const body = new Readable({
    read() {
      arm();
      source.resume();
    },
    destroy(error, callback) {
      disarm();
      source.pause();
      callback(error);
    },
  });
  const onData = (chunk: Buffer) => {
    disarm();
    received += chunk.length;
    if (body.destroyed) return;
    if (body.push(chunk)) arm();
    else source.pause();
  };
  const onEnd = () => {
    ended = true;
    disarm();
    if (!body.destroyed) body.push(null);
  };
  const onError = (error: Error) => {
    disarm();
    if (!body.destroyed) body.destroy(options.signal.aborted ? options.signal.reason : error);
  };
  const onAbort = () => {
    disarm();
    if (!ended && !body.destroyed) body.destroy(options.signal.reason);
  };
  source.pause();
  source.on('data', onData);
  source.on('end', onEnd);
  source.on('error', onError);
  options.signal.addEventListener('abort', onAbort, { once: true });
  return {
    body,
    bytes: () => received,
    complete: () => ended,
    dispose() {
      disarm();
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      options.signal.removeEventListener('abort', onAbort);
    },
  };
}
