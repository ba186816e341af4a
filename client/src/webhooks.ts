import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookSource } from './client.ts';

/**
 * Receiving cutout's webhooks in Node (`@cutout/client/webhooks`): checking a signature, and a
 * small receiver whose `waitFor` lets `client.wait(uuid, { webhook })` resolve the moment the
 * job's event arrives instead of on the next poll. Node only (it runs an HTTP server); the
 * main entry stays usable in browsers.
 */

/** Default window a signature's timestamp must fall in, either side of now (seconds). */
export const DEFAULT_TOLERANCE_S = 300;

/**
 * Whether `header` (the `Cutout-Signature` value, `t=<unix>,v1=<hex>`) signs `rawBody` with
 * `secret`: HMAC-SHA256 over `<t>.<rawBody>`, compared in constant time, and `t` within
 * `toleranceS` of now (a replayed request is refused after that). Pass the body exactly as
 * received, before any JSON parsing.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  toleranceS: number = DEFAULT_TOLERANCE_S,
  nowS: number = Date.now() / 1000,
): boolean {
  if (!header) return false;
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = value;
    if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowS - Number(timestamp)) > toleranceS) return false;
  const expected = createHmac('sha256', secret)
    .update(`${timestamp}.`)
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest();
  return signatures.some((s) => timingSafeEqual(s, expected));
}

/** A verified event as cutout sends it. */
export interface WebhookEvent {
  readonly id: string;
  readonly type: 'job.finished' | 'file.finished';
  readonly created: number;
  /** file.finished: the output name of the file that ended. */
  readonly file?: string;
  /** The job's `/v1/results` body. */
  readonly data: { readonly uuid: string; readonly finished: boolean } & Record<string, unknown>;
}

export interface WebhookReceiverOptions {
  /** The API key's signing secret (`cutout keys webhook-secret <id>`). */
  readonly secret: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly toleranceS?: number;
  /** Called once per event id (retries of a delivered event are answered, not repeated). */
  readonly onEvent?: (event: WebhookEvent) => void;
  /**
   * How many of the latest event ids (and finished jobs) are remembered, default 10,000, so a
   * long-running receiver's memory stays bounded; a repeat of an event older than that is
   * reported again.
   */
  readonly rememberEvents?: number;
}

export interface WebhookReceiver extends WebhookSource {
  /** `http://<host>:<port>/`: pass it as `webhook_url` (it must be reachable from cutout). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_REMEMBERED = 10_000;

/** Adds `value`, dropping the oldest entries (a Set iterates in insertion order) past `limit`. */
function remember(set: Set<string>, value: string, limit: number): void {
  set.add(value);
  for (const oldest of set) {
    if (set.size <= limit) break;
    set.delete(oldest);
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * An HTTP server that accepts cutout's webhooks: it answers 400 to a request whose signature
 * does not verify, 200 to the rest, and resolves `waitFor(uuid)` once that job's job.finished
 * event has arrived (also when it arrived before the call).
 */
export async function createWebhookReceiver(
  options: WebhookReceiverOptions,
): Promise<WebhookReceiver> {
  const limit = Math.max(1, options.rememberEvents ?? DEFAULT_REMEMBERED);
  const seen = new Set<string>();
  const finished = new Set<string>();
  const waiters = new Map<string, Set<() => void>>();
  const server: Server = createServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    readBody(request).then(
      (body) => {
        const header = request.headers['cutout-signature'];
        const valid = verifyWebhookSignature(
          options.secret,
          Array.isArray(header) ? header.join(',') : header,
          body,
          options.toleranceS ?? DEFAULT_TOLERANCE_S,
        );
        if (!valid) {
          response.writeHead(400, { 'content-type': 'text/plain' }).end('bad signature');
          return;
        }
        let event: WebhookEvent;
        try {
          event = JSON.parse(body.toString('utf8')) as WebhookEvent;
        } catch {
          response.writeHead(400, { 'content-type': 'text/plain' }).end('not JSON');
          return;
        }
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        if (seen.has(event.id)) return;
        remember(seen, event.id, limit);
        options.onEvent?.(event);
        if (event.type === 'job.finished' && typeof event.data?.uuid === 'string') {
          remember(finished, event.data.uuid, limit);
          for (const wake of waiters.get(event.data.uuid) ?? []) wake();
          waiters.delete(event.data.uuid);
        }
      },
      () => {
        if (!response.headersSent) response.writeHead(413).end();
      },
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    waitFor(uuid, signal) {
      if (finished.has(uuid)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const set = waiters.get(uuid) ?? new Set();
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          set.delete(wake);
          reject(signal?.reason);
        };
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        set.add(wake);
        waiters.set(uuid, set);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
