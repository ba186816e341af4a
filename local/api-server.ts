import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { findRoute, type HandlerName } from '../adapters/http/api-routes.ts';
import { readBoundedBody } from '../adapters/http/bounded-read.ts';
import { isLoopbackVisitor } from '../adapters/http/loopback.ts';
import {
  fromProxyResult,
  type LocalRequest,
  lambdaContext,
  type PlainResponse,
  type ProxyHandler,
  toAuthorizerEvent,
  toProxyEvent,
} from '../adapters/http/proxy-event.ts';
import { describeBytes, MAX_INLINE_BODY_BYTES } from '../core/config/inline-limit.ts';
import { type ErrorCode, isCutoutError } from '../core/errors.ts';
import { UNAUTHORIZED_BODY, UNAUTHORIZED_MESSAGE } from '../functions/authorizer/unauthorized.ts';
import type { WebAssets } from './web-assets.ts';

/**
 * The local stand-in for API Gateway: routes requests to the same handler modules Lambda runs,
 * calls the authorizer first on protected routes, enforces the payload ceiling AWS has (the
 * largest body whose base64 form fits Lambda's 6 MB event), and serves the web page at `/`.
 */

export type RequestAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

export interface ApiHandlers {
  readonly convert: ProxyHandler;
  readonly results: ProxyHandler;
  readonly files: ProxyHandler;
  readonly authorizer: RequestAuthorizer;
}

export interface ApiServerOptions {
  readonly handlers: ApiHandlers;
  readonly port: number;
  /** Interface to bind; loopback by default because the page carries the development key. */
  readonly host?: string;
  readonly web?: WebAssets;
  /** Filled into the page for loopback visitors only. */
  readonly devKey?: string;
  /** The payload ceiling; default the one AWS has (MAX_INLINE_BODY_BYTES, inline-limit.ts). */
  readonly maxBodyBytes?: number;
  readonly log?: (line: string) => void;
}

export interface ApiServer {
  /** `http://localhost:<port>` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyTooLarge();
  try {
    return await readBoundedBody(req, limit);
  } catch (error) {
    if (isCutoutError(error) && error.code === 'INPUT_TOO_LARGE') throw new BodyTooLarge();
    throw error;
  }
}

function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): PlainResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** An error in the API's one shape, as API Gateway's gateway responses send it on AWS. */
function failure(
  statusCode: number,
  code: ErrorCode,
  error: string,
  headers: Record<string, string> = {},
): PlainResponse {
  return json(statusCode, { error, code }, headers);
}

function isAllowed(result: APIGatewayAuthorizerResult): boolean {
  const statements = result.policyDocument?.Statement ?? [];
  return (
    statements.length > 0 &&
    statements.every((s) => s.Effect === 'Allow') &&
    statements.some((s) => s.Effect === 'Allow')
  );
}

function authorizerContext(result: APIGatewayAuthorizerResult): Record<string, unknown> {
  // API Gateway stringifies context values and adds the principal.
  const context: Record<string, unknown> = { principalId: result.principalId };
  for (const [k, v] of Object.entries(result.context ?? {})) {
    if (v !== undefined && v !== null) context[k] = String(v);
  }
  return context;
}

async function authorize(
  authorizer: RequestAuthorizer,
  event: APIGatewayRequestAuthorizerEvent,
): Promise<
  { ok: true; context: Record<string, unknown> } | { ok: false; response: PlainResponse }
> {
  let result: APIGatewayAuthorizerResult;
  try {
    result = await authorizer(event, lambdaContext('cutout-authorizer'));
  } catch (error) {
    // A REQUEST authorizer signals "no or unknown key" by failing with exactly `Unauthorized`.
    if (error instanceof Error && error.message === UNAUTHORIZED_MESSAGE) {
      return {
        ok: false,
        response: json(401, UNAUTHORIZED_BODY),
      };
    }
    return { ok: false, response: failure(500, 'INTERNAL', 'Authorizer failed') };
  }
  if (!isAllowed(result)) {
    return {
      ok: false,
      response: failure(403, 'FORBIDDEN', 'Authorization: this API key may not call this resource'),
    };
  }
  return { ok: true, context: authorizerContext(result) };
}

const HANDLER_FUNCTION_NAMES: Readonly<Record<HandlerName, string>> = {
  convert: 'cutout-convert',
  results: 'cutout-results',
  files: 'cutout-files',
};

export async function handleApiRequest(
  request: LocalRequest,
  options: ApiServerOptions,
): Promise<PlainResponse> {
  const path = new URL(request.url, 'http://local').pathname;
  if (request.method === 'GET' || request.method === 'HEAD') {
    const devKey = isLoopbackVisitor(request.sourceIp, request.headers.host);
    const asset = options.web?.get(path, devKey ? options.devKey : undefined);
    if (asset) {
      return {
        statusCode: 200,
        headers: { 'content-type': asset.type, 'cache-control': 'no-store' },
        body: asset.body,
      };
    }
  }
  const found = findRoute(request.method, path);
  if (found.kind === 'not-found') return failure(404, 'NOT_FOUND', `${path}: no such route`);
  if (found.kind === 'method-not-allowed') {
    return failure(
      405,
      'METHOD_NOT_ALLOWED',
      `${path}: ${request.method} is not allowed (allowed: ${found.allowed.join(', ')})`,
      { allow: found.allowed.join(', ') },
    );
  }
  let context: Record<string, unknown> | null = null;
  if (found.route.authorized) {
    const auth = await authorize(
      options.handlers.authorizer,
      toAuthorizerEvent(request, found.match),
    );
    if (!auth.ok) return auth.response;
    context = auth.context;
  }
  const handler = options.handlers[found.route.handler];
  const event = toProxyEvent(request, found.match, context);
  try {
    const result = await handler(event, lambdaContext(HANDLER_FUNCTION_NAMES[found.route.handler]));
    return fromProxyResult(result);
  } catch {
    // API Gateway answers a crashed integration with a bare 502; the handler's own logs say why.
    return failure(502, 'INTERNAL', 'Internal server error');
  }
}

function send(res: ServerResponse, response: PlainResponse, head: boolean): void {
  res.writeHead(response.statusCode, {
    ...response.headers,
    'content-length': String(response.body.length),
  });
  res.end(head ? undefined : response.body);
}

export function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const limit = options.maxBodyBytes ?? MAX_INLINE_BODY_BYTES;
  const log = options.log ?? (() => undefined);
  const server = createServer((req, res) => {
    const started = Date.now();
    readBody(req, limit)
      .then((body) =>
        handleApiRequest(
          {
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers: req.headers,
            body,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          },
          options,
        ),
      )
      .catch((error: unknown) =>
        error instanceof BodyTooLarge
          ? failure(
              413,
              'INPUT_TOO_LARGE',
              `body: larger than ${describeBytes(limit)}, the most one request may carry ` +
                "(on AWS the body, base64-encoded, must fit Lambda's 6 MB event); send an " +
                '"uploads" list ([{filename, size, content_type}]) instead of the files to get presigned S3 upload targets',
            )
          : failure(500, 'INTERNAL', 'Internal server error'),
      )
      .then((response) => {
        send(res, response, req.method === 'HEAD');
        log(`${req.method} ${req.url} ${response.statusCode} ${Date.now() - started}ms`);
        // A refused upload is still streaming in: close rather than read it all.
        if (response.statusCode === 413) req.socket.end();
      });
  });
  // Long polls from the page and slow uploads are fine; idle sockets should not pin the process.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://localhost:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
