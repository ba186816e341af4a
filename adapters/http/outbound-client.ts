import { lookup as dnsLookup } from 'node:dns/promises';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeBytes } from '../../core/config/inline-limit.ts';
import { CutoutError, isCutoutError } from '../../core/errors.ts';
import { outboundUrl, socketHost } from '../../core/outbound/outbound-url.ts';
import { addressJudge } from './address-policy.ts';

/**
 * The one way cutout makes a request to a URL a user gave (webhooks, image_url): the guard
 * against server-side request forgery. It resolves the host once, refuses unless every address
 * is public (or inside an operator's `allowedCidrs`), then connects to exactly those vetted
 * addresses, so a second DNS answer (rebinding) is never used; TLS still names the host (SNI,
 * certificate check, Host header). Redirects are refused, never followed; one timeout covers
 * DNS, connect, headers and body. Its settings come from the environment through
 * `outboundPolicyFromEnv` (./outbound-env.ts).
 */

export interface OutboundPolicy {
  /** Plain http as well as https: the local stack; false on AWS. */
  allowHttp: boolean;
  /** Exceptions to the address rules, e.g. `127.0.0.1/32` for the local stack and tests. */
  allowedCidrs: readonly string[];
}

export interface OutboundRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** DNS, connect, headers and the whole body, together. */
  timeoutMs: number;
  /** The body errors past this many bytes (and `send` rejects a larger declared length). */
  maxResponseBytes: number;
  /** The caller's own stop (a file's deadline): aborts the request or its body with its reason. */
  signal?: AbortSignal;
  /**
   * A 3xx comes back as a response (still never followed) instead of failing with
   * OUTBOUND_REFUSED: for a caller to whom it is one more failing status (a webhook attempt).
   */
  returnRedirects?: boolean;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Errors with INPUT_TOO_LARGE past `maxResponseBytes`, OUTBOUND_TIMEOUT past the timeout. */
  body: Readable;
}

export type Resolver = (hostname: string) => Promise<readonly { address: string; family: 4 | 6 }[]>;

export interface OutboundClient {
  /**
   * @throws CutoutError OUTBOUND_REFUSED (scheme, credentials, an address kind, a redirect),
   *   OUTBOUND_TIMEOUT, OUTBOUND_FAILED (host not found, connection refused or cut off),
   *   INPUT_TOO_LARGE (a declared length over `maxResponseBytes`)
   */
  send(request: OutboundRequest): Promise<OutboundResponse>;
}

/** Every address the system resolver has for `hostname`, in its order. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, order: 'verbatim' });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

interface Vetted {
  readonly address: string;
  readonly family: 4 | 6;
}

export function createOutboundClient(
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): OutboundClient {
  const judge = addressJudge(policy.allowedCidrs);

  async function vetted(host: string, signal: AbortSignal): Promise<readonly Vetted[]> {
    const literal = isIP(host);
    if (literal !== 0) {
      const kind = judge(host);
      if (kind !== undefined) throw refused(`${host} is a ${kind} address`);
      return [{ address: host, family: literal === 6 ? 6 : 4 }];
    }
    let answers: readonly Vetted[];
    try {
      answers = await abortable(resolve(host), signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new CutoutError('OUTBOUND_FAILED', `${host}: host not found`, {
        subject: null,
        cause: error,
      });
    }
    if (answers.length === 0) {
      throw new CutoutError('OUTBOUND_FAILED', `${host}: host not found`, { subject: null });
    }
    // Refused if ANY answer is: a resolver that mixes a private address in is not trusted at all.
    // The address itself is not named: it may be an internal one the user never saw.
    for (const { address } of answers) {
      const kind = judge(address);
      if (kind !== undefined) throw refused(`${host} resolves to a ${kind} address`);
    }
    // The family as the address itself says, whatever the resolver claimed.
    return answers.map(({ address }) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
  }

  return {
    async send(request) {
      const url = outboundUrl(request.url, policy);
      const host = socketHost(url);
      const controller = new AbortController();
      const timer = setTimeout(
        () =>
          controller.abort(
            new CutoutError(
              'OUTBOUND_TIMEOUT',
              `${url.host}: no complete answer within ${request.timeoutMs} ms`,
              { subject: null },
            ),
          ),
        request.timeoutMs,
      );
      timer.unref();
      const onCallerAbort = () => controller.abort(request.signal?.reason);
      if (request.signal?.aborted) onCallerAbort();
      else request.signal?.addEventListener('abort', onCallerAbort, { once: true });
      const finish = () => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onCallerAbort);
      };
      try {
        const addresses = await vetted(host, controller.signal);
        const response = await exchange(url, host, addresses, request, controller.signal);
        return {
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: limitedBody(response, url, request.maxResponseBytes, controller.signal, finish),
        };
      } catch (error) {
        finish();
        throw error;
      }
    },
  };
}

function refused(problem: string): CutoutError {
  return new CutoutError('OUTBOUND_REFUSED', problem, { subject: null });
}

/** The request sent to the vetted addresses only, resolved with its response's head. */
function exchange(
  url: URL,
  host: string,
  addresses: readonly Vetted[],
  request: OutboundRequest,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  // Node asks for one address or, when it races families, for all of them.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    const first = addresses[0] as Vetted;
    if (options.all)
      callback(
        null,
        addresses.map((a) => ({ ...a })),
      );
    else callback(null, first.address, first.family);
  };
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? Buffer.from(request.body)
        : request.body;
  const headers: Record<string, string> = { 'user-agent': 'cutout', ...request.headers };
  if (body !== undefined) headers['content-length'] = String(body.byteLength);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let req: ClientRequest;
    const onAbort = () => req.destroy(signal.reason as Error);
    const settle = (error: unknown, response?: IncomingMessage) => {
      signal.removeEventListener('abort', onAbort);
      if (response === undefined) reject(signal.aborted ? signal.reason : failure(url, error));
      else resolve(response);
    };
    req = send({
      protocol: url.protocol,
      host,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers,
      lookup,
      // A fresh socket each time: a pooled one could be connected anywhere.
      agent: false,
    });
    req.once('error', (error) => settle(error));
    req.once('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && request.returnRedirects !== true) {
        response.destroy();
        settle(refused(`${url.host} answered ${status}, a redirect; redirects are not followed`));
        return;
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > request.maxResponseBytes) {
        response.destroy();
        settle(tooLarge(url, request.maxResponseBytes));
        return;
      }
      // From here the body carries the abort (limitedBody); the request no longer listens.
      signal.removeEventListener('abort', onAbort);
      resolve(response);
    });
    signal.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

function tooLarge(url: URL, limit: number): CutoutError {
  return new CutoutError(
    'INPUT_TOO_LARGE',
    `${url.host}: the answer is over the ${describeBytes(limit)} limit`,
    { subject: null },
  );
}

const FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
};

/** A transport failure said about the host the caller named, never the address it resolved to. */
function failure(url: URL, error: unknown): CutoutError {
  if (isCutoutError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? FAILURES[code] : undefined;
  const tls =
    typeof code === 'string' && /CERT|SSL|TLS/.test(code) ? `TLS failed (${code})` : undefined;
  return new CutoutError(
    'OUTBOUND_FAILED',
    `${url.host}: ${known ?? tls ?? 'the request failed'}`,
    { subject: null, cause: error },
  );
}

/**
 * The response body, erroring past `limit` bytes or when `signal` aborts (the timeout), and
 * calling `done` once it is over either way.
 */
function limitedBody(
  response: IncomingMessage,
  url: URL,
  limit: number,
  signal: AbortSignal,
  done: () => void,
): Readable {
  let seen = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.byteLength;
      if (seen > limit) {
        callback(tooLarge(url, limit));
        return;
      }
      callback(null, chunk);
    },
  });
  // Before pipeline's own listener: a connection lost mid-body reaches the reader as the
  // guard's failure, not as a bare socket error; a stop (timeout, the caller) as its reason.
  response.on('error', (error) => {
    if (limited.destroyed) return;
    limited.destroy(
      signal.aborted || isCutoutError(error)
        ? error
        : new CutoutError('OUTBOUND_FAILED', `${url.host}: the answer was cut off`, {
            subject: null,
            cause: error,
          }),
    );
  });
  const onAbort = () => response.destroy(signal.reason as Error);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  pipeline(response, limited)
    .catch(() => undefined)
    .finally(() => {
      signal.removeEventListener('abort', onAbort);
      done();
    });
  return limited;
}

/** `work`, or the signal's reason as soon as it aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
