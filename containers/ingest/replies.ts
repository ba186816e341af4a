import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PlainResponse } from '../../adapters/http/proxy-event.ts';
import { fromProxyResult } from '../../adapters/http/proxy-event.ts';
import type { CutoutError } from '../../core/errors.ts';
import { errorResponse, jsonResponse } from '../../functions/shared/http.ts';
import { RateLimited } from './rate-limit.ts';

/**
 * How the streaming front door answers: JSON through the API's one error table (http.ts), and a
 * refusal that arrives while the client is still sending is followed by closing the connection
 * rather than reading the rest of a large body.
 */

/**
 * After a refusal the client may still be sending. Closing at once can turn into a TCP reset
 * that destroys the answer before the client reads it, so what still arrives is dropped for
 * this long (as web servers' "lingering close" does), then the connection is closed.
 */
export const LINGER_MS = 2_000;

export function json(statusCode: number, body: unknown): PlainResponse {
  return fromProxyResult(jsonResponse(statusCode, body));
}

/** The coded error answer; 5xx details go to `log5xx`, never to the client. */
export function errorReply(
  thrown: unknown,
  requestId: string,
  log5xx: (error: CutoutError) => void,
): PlainResponse {
  const reply = fromProxyResult(errorResponse(thrown, requestId, log5xx));
  if (thrown instanceof RateLimited) {
    return {
      ...reply,
      headers: { ...reply.headers, 'retry-after': String(thrown.retryAfterSeconds) },
    };
  }
  return reply;
}

function head(res: ServerResponse, reply: PlainResponse, close: boolean): void {
  res.writeHead(reply.statusCode, {
    ...reply.headers,
    'content-length': String(reply.body.length),
    ...(close ? { connection: 'close' } : {}),
  });
}

/** Sends a whole answer; `close` ends the connection after it (draining, a spoiled body). */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  reply: PlainResponse,
  close = false,
): void {
  if (res.headersSent || res.destroyed) return;
  head(res, reply, close);
  res.end(req.method === 'HEAD' ? undefined : reply.body);
}

/**
 * Answers while the request body is (maybe) still arriving: the answer is written whole, what
 * still comes in is dropped for at most LINGER_MS, then the connection is closed.
 */
export function refuse(req: IncomingMessage, res: ServerResponse, reply: PlainResponse): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (req.complete) {
    send(req, res, reply, true);
    return;
  }
  head(res, reply, true);
  res.write(reply.body);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    res.end();
  };
  const timer = setTimeout(finish, LINGER_MS);
  req.unpipe();
  req.removeAllListeners('data');
  req.on('end', finish);
  req.on('error', finish);
  req.resume();
}
