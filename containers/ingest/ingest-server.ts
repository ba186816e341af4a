import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { findRoute, type HandlerName } from '../../adapters/http/api-routes.ts';
import { readBoundedBody } from '../../adapters/http/bounded-read.ts';
import { isLoopbackVisitor } from '../../adapters/http/loopback.ts';
import {
  fromProxyResult,
  type LocalRequest,
  lambdaContext,
  type PlainResponse,
  type ProxyHandler,
  type RouteMatch,
  toProxyEvent,
} from '../../adapters/http/proxy-event.ts';
import type { Log } from '../../adapters/observability/log.ts';
import {
  type MetricsWriter,
  type UploadAbortCause,
  uploadAbortedRecord,
} from '../../adapters/observability/metrics.ts';
import { describeBytes } from '../../core/config/inline-limit.ts';
import { CutoutError, isCutoutError } from '../../core/errors.ts';
import type { CreateJobResult } from '../../core/jobs/create-job.ts';
import type { WebAssets } from '../../local/web-assets.ts';
import { INGEST_HEALTH_PATH } from './env.ts';
import { pickGeometryHeaders, relayObject } from './file-relay.ts';
import type { KeyVerifier } from './key-cache.ts';
import type { KeyRateLimiter } from './rate-limit.ts';
import { errorReply, json, refuse, send } from './replies.ts';
import type { IngestTimeouts } from './timeouts.ts';
import { watchBody } from './watched-body.ts';

/**
 * The streaming front door: the whole seed API on one host name. `POST /v1/convert` checks the
 * key from the headers before reading any of the body, then streams the body into the upload
 * (stream-convert.ts); `/v1/results` and `/v1/files` run the very Lambda handlers through the
 * proxy-event bridge, with small bodies (a result too large for a Lambda's answer, which the
 * handler redirects to S3, is streamed through instead: file-relay.ts); `/` serves the web page
 * and INGEST_HEALTH_PATH the load balancer's health check. One access-log line per request.
 */

export interface ConvertUploadRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
  /** Aborted when the client disconnects or goes quiet; its reason is what the upload rejects with. */
  readonly signal: AbortSignal;
}

/** Streams a convert request's files to S3 and creates the job (stream-convert.ts). */
export type ConvertUpload = (
  request: ConvertUploadRequest,
  apiKeyId: string,
) => Promise<CreateJobResult>;

export interface IngestServerOptions {
  readonly port: number;
  readonly host: string;
  /** The Lambda handlers of the small-bodied routes, run through the proxy-event bridge. */
  readonly handlers: { readonly results: ProxyHandler; readonly files: ProxyHandler };
  readonly convert: ConvertUpload;
  readonly verifyKey: KeyVerifier;
  readonly rateLimit: KeyRateLimiter;
  readonly timeouts: IngestTimeouts;
  /** Called before a convert is accepted; throwing refuses it (a full disk locally: 507). */
  readonly admit?: () => Promise<void>;
  readonly web?: WebAssets;
  /** Filled into the page for loopback visitors only. */
  readonly devKey?: string;
  readonly log: Log;
  /** EMF records (IngestUploadsAborted); none when absent. */
  readonly metrics?: MetricsWriter;
  /** Largest body `/v1/results` and `/v1/files` take. Default 1 MiB. */
  readonly maxSmallBodyBytes?: number;
}

export interface IngestServer {
  /** `http://localhost:<port>` */
  readonly url: string;
  readonly port: number;
  /** Requests being served now. */
  inFlight(): number;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `drainMs` (0: none),
   * then cuts the rest (their uploads are aborted) and resolves once they have cleaned up.
   * Resolves with how many requests were cut.
   */
  close(drainMs?: number): Promise<number>;
}

const DEFAULT_SMALL_BODY_BYTES = 1024 * 1024;
/** How long cut requests get to abort their uploads before close() gives up on them. */
const CLEANUP_MS = 30_000;

type SmallRoute = Exclude<HandlerName, 'convert'>;

const HANDLER_FUNCTION_NAMES: Readonly<Record<SmallRoute, string>> = {
  results: 'cutout-results',
  files: 'cutout-files',
};

interface Access {
  keyId?: string;
  jobId?: string;
  bytesIn: number;
}

function notFound(path: string): CutoutError {
  return new CutoutError('NOT_FOUND', `${path}: no such route`, { subject: null });
}

function smallBodyTooLarge(limit: number): CutoutError {
  return new CutoutError('INPUT_TOO_LARGE', `body: larger than ${describeBytes(limit)}`, {
    field: 'body',
    subject: null,
  });
}

async function readSmallBody(req: IncomingMessage, limit: number, access: Access): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw smallBodyTooLarge(limit);
  const count = (chunk: Buffer) => {
    access.bytesIn += chunk.length;
  };
  req.on('data', count);
  try {
    return await readBoundedBody(req, limit);
  } catch (error) {
    throw isCutoutError(error) && error.code === 'INPUT_TOO_LARGE'
      ? smallBodyTooLarge(limit)
      : error;
  } finally {
    req.off('data', count);
  }
}

export function startIngestServer(options: IngestServerOptions): Promise<IngestServer> {
  const { log } = options;
  const smallLimit = options.maxSmallBodyBytes ?? DEFAULT_SMALL_BODY_BYTES;
  const running = new Set<Promise<void>>();
  const cutters = new Set<() => void>();
  let draining = false;

  const runHandler = async (
    name: SmallRoute,
    match: RouteMatch,
    req: IncomingMessage,
    access: Access,
  ): Promise<PlainResponse> => {
    const request: LocalRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: await readSmallBody(req, smallLimit, access),
      sourceIp: req.socket.remoteAddress ?? '',
    };
    const result = await options.handlers[name](
      toProxyEvent(request, match, null),
      lambdaContext(HANDLER_FUNCTION_NAMES[name]),
    );
    return fromProxyResult(result);
  };

  const convert = async (
    req: IncomingMessage,
    res: ServerResponse,
    access: Access,
    requestId: string,
    fail: (error: unknown) => PlainResponse,
  ): Promise<void> => {
    // Everything that can refuse the request runs on the headers alone: a refused upload is
    // never read.
    let keyId: string;
    try {
      const authorization = req.headers.authorization;
      const record = await options.verifyKey(authorization);
      keyId = record.keyId;
      access.keyId = keyId;
      // A key's own limits (cutout keys create --rate/--burst/--daily-quota) replace the door's.
      await options.rateLimit(keyId, record.limits);
      await options.admit?.();
    } catch (error) {
      refuse(req, res, fail(error));
      return;
    }
    const controller = new AbortController();
    const cut = (reason: CutoutError, cause: UploadAbortCause) => {
      if (controller.signal.aborted) return;
      controller.abort(reason);
      options.metrics?.(uploadAbortedRecord(cause, Date.now()));
    };
    const watched = watchBody(req, {
      idleMs: options.timeouts.idleMs,
      signal: controller.signal,
      onIdle: () =>
        cut(
          new CutoutError(
            'REQUEST_TIMEOUT',
            `body: nothing received for ${options.timeouts.idleMs / 1000} s; the upload was cancelled`,
            { field: 'body', subject: null },
          ),
          'idle',
        ),
    });
    const onClose = () => {
      if (!res.writableFinished) {
        cut(
          new CutoutError('INVALID_REQUEST', 'the client disconnected before the answer', {
            subject: null,
          }),
          'disconnect',
        );
      }
    };
    res.on('close', onClose);
    const shutdown = () =>
      cut(
        new CutoutError('UPSTREAM_THROTTLED', 'the service is shutting down; retry', {
          subject: null,
        }),
        'shutdown',
      );
    cutters.add(shutdown);
    try {
      const result = await options.convert(
        { headers: req.headers, body: watched.body, signal: controller.signal },
        keyId,
      );
      access.jobId = result.uuid;
      send(req, res, json(200, result), draining);
    } catch (error) {
      const thrown = controller.signal.aborted ? controller.signal.reason : error;
      if (watched.complete()) send(req, res, fail(thrown), true);
      else refuse(req, res, fail(thrown));
    } finally {
      access.bytesIn = watched.bytes();
      watched.dispose();
      // Settled: a client leaving now (during a refusal's linger) cuts nothing.
      res.off('close', onClose);
      cutters.delete(shutdown);
      log.debug('convert.settled', { requestId, aborted: controller.signal.aborted });
    }
  };

  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    access: Access,
    requestId: string,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://ingest').pathname;
    const fail = (error: unknown) =>
      errorReply(error, requestId, (e) =>
        log.error('request failed', { requestId, path, code: e.code, error: e.cause ?? e }),
      );
    if (method === 'GET' || method === 'HEAD') {
      if (path === INGEST_HEALTH_PATH) {
        send(req, res, json(draining ? 503 : 200, { status: draining ? 'draining' : 'ok' }));
        return;
      }
      const visitorKey = isLoopbackVisitor(req.socket.remoteAddress, req.headers.host)
        ? options.devKey
        : undefined;
      const asset = options.web?.get(path, visitorKey);
      if (asset) {
        send(req, res, {
          statusCode: 200,
          headers: { 'content-type': asset.type, 'cache-control': 'no-store' },
          body: asset.body,
        });
        return;
      }
    }
    const found = findRoute(method, path);
    if (found.kind === 'not-found') {
      refuse(req, res, fail(notFound(path)));
      return;
    }
    if (found.kind === 'method-not-allowed') {
      const allowed = found.allowed.join(', ');
      const reply = fail(
        new CutoutError(
          'METHOD_NOT_ALLOWED',
          `${path}: ${method} is not allowed (allowed: ${allowed})`,
          { subject: null },
        ),
      );
      refuse(req, res, { ...reply, headers: { ...reply.headers, allow: allowed } });
      return;
    }
    const { route, match } = found;
    if (route.handler === 'convert') {
      await convert(req, res, access, requestId, fail);
      return;
    }
    try {
      const reply = await runHandler(route.handler, match, req, access);
      const location = reply.headers.location;
      if (route.handler === 'files' && reply.statusCode === 302 && method === 'GET') {
        const gone = new AbortController();
        res.on('close', () => gone.abort());
        const kept = pickGeometryHeaders(reply.headers);
        if (typeof location === 'string' && (await relayObject(location, res, gone.signal, kept))) {
          return;
        }
      }
      send(req, res, reply, draining);
    } catch (error) {
      // Mid-relay the answer has begun: the connection is cut rather than answered twice.
      if (res.headersSent) res.destroy();
      else refuse(req, res, fail(error));
    }
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    const access: Access = { bytesIn: 0 };
    res.on('close', () => {
      log.info('request', {
        requestId,
        method: req.method,
        path: new URL(req.url ?? '/', 'http://ingest').pathname,
        // 499: the client went away before the answer (nginx's convention).
        status: res.writableFinished ? res.statusCode : 499,
        bytesIn: access.bytesIn,
        ms: Math.round(performance.now() - started),
        ...(access.keyId ? { keyId: access.keyId } : {}),
        ...(access.jobId ? { jobId: access.jobId } : {}),
      });
    });
    const work = serve(req, res, access, requestId)
      .catch((error: unknown) => {
        log.error('request crashed', { requestId, error });
        refuse(
          req,
          res,
          json(500, {
            error: `Internal error (request ${requestId})`,
            code: 'INTERNAL',
            request_id: requestId,
          }),
        );
      })
      .finally(() => running.delete(work));
    running.add(work);
  });
  // A large upload over a slow link takes as long as it takes: only silence is timed
  // (watched-body.ts), headers are bounded, and keep-alive outlasts the load balancer's.
  server.requestTimeout = 0;
  server.headersTimeout = options.timeouts.headersMs;
  server.keepAliveTimeout = options.timeouts.keepAliveMs;
  server.timeout = 0;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      let closing: Promise<number> | undefined;
      resolve({
        url: `http://localhost:${port}`,
        port,
        inFlight: () => running.size,
        close(drainMs = 0) {
          closing ??= (async () => {
            draining = true;
            const closed = new Promise<void>((done) => server.close(() => done()));
            server.closeIdleConnections();
            const settled = Promise.allSettled([...running]);
            let timer: NodeJS.Timeout | undefined;
            const drained = await Promise.race([
              settled.then(() => true),
              new Promise<boolean>((done) => {
                timer = setTimeout(() => done(false), drainMs);
              }),
            ]);
            clearTimeout(timer);
            const cut = drained ? 0 : running.size;
            if (!drained) {
              for (const stop of cutters) stop();
              await Promise.race([
                Promise.allSettled([...running]),
                new Promise((done) => setTimeout(done, CLEANUP_MS).unref()),
              ]);
            }
            server.closeAllConnections();
            await closed;
            return cut;
          })();
          return closing;
        },
      });
    });
  });
}
