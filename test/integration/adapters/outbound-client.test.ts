import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutboundClient,
  type OutboundPolicy,
  type Resolver,
} from '../../../adapters/http/outbound-client.ts';
import { CutoutError } from '../../../core/errors.ts';

/**
 * The guard against real sockets: a loopback receiver the policy allows explicitly (as the local
 * stack does), and the same receiver refused when it does not.
 */

interface Hit {
  readonly method: string;
  readonly path: string;
  readonly host: string | undefined;
  readonly body: string;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function receiver(route: (req: IncomingMessage, res: ServerResponse) => void) {
  const hits: Hit[] = [];
  const server = createServer(async (req, res) => {
    const body = (await readAll(req)).toString();
    hits.push({ method: req.method ?? '', path: req.url ?? '', host: req.headers.host, body });
    route(req, res);
  });
  return { server, hits };
}

async function listen(server: Server, host: string, port = 0): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function failure(promise: Promise<unknown>): Promise<CutoutError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CutoutError);
  return error as CutoutError;
}

const LOCAL: OutboundPolicy = { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] };

describe('outbound client against a real loopback receiver', () => {
  const stalled: ServerResponse[] = [];
  const main = receiver((req, res) => {
    if (req.url === '/echo') {
      res.setHeader('content-type', 'text/plain');
      res.end(`got ${req.method} ${req.headers['content-type']}`);
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: `/echo` }).end();
    } else if (req.url === '/no-head') {
      stalled.push(res);
    } else if (req.url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write('first bytes');
      stalled.push(res);
    } else if (req.url === '/big-chunked') {
      res.writeHead(200);
      res.write(Buffer.alloc(800));
      res.end(Buffer.alloc(800));
    } else if (req.url === '/cut-off') {
      res.writeHead(200, { 'content-length': '500' });
      res.write(Buffer.alloc(10), () => res.socket?.destroy());
    } else if (req.url === '/big-declared') {
      res.writeHead(200, { 'content-length': '5000' });
      res.end(Buffer.alloc(5000));
    } else {
      res.writeHead(404).end('no');
    }
  });
  let base = '';

  beforeAll(async () => {
    base = `http://127.0.0.1:${await listen(main.server, '127.0.0.1')}`;
  });
  afterAll(async () => {
    for (const res of stalled) res.destroy();
    main.server.closeAllConnections();
    main.server.close();
  });

  const client = createOutboundClient(LOCAL);
  const request = (path: string, more: Partial<Parameters<typeof client.send>[0]> = {}) =>
    client.send({
      url: `${base}${path}`,
      method: 'GET',
      timeoutMs: 5_000,
      maxResponseBytes: 1024,
      ...more,
    });

  it('POSTs the body with its headers and reads the answer', async () => {
    const before = main.hits.length;
    const response = await request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"finished":true}',
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain');
    expect((await readAll(response.body)).toString()).toBe('got POST application/json');
    expect(main.hits.slice(before)).toEqual([
      {
        method: 'POST',
        path: '/echo',
        host: base.slice('http://'.length),
        body: '{"finished":true}',
      },
    ]);
  });

  it('passes other statuses back to the caller', async () => {
    const response = await request('/missing');
    expect(response.status).toBe(404);
    expect((await readAll(response.body)).toString()).toBe('no');
  });

  it('refuses a 302 and never follows it', async () => {
    const before = main.hits.length;
    const error = await failure(request('/redirect'));
    expect(error.code).toBe('OUTBOUND_REFUSED');
    expect(error.message).toContain('answered 302, a redirect; redirects are not followed');
    expect(main.hits.slice(before).map((h) => h.path)).toEqual(['/redirect']);
  });

  it('times out a server that never answers', async () => {
    const error = await failure(request('/no-head', { timeoutMs: 300 }));
    expect(error.code).toBe('OUTBOUND_TIMEOUT');
    expect(error.message).toContain('no complete answer within 300 ms');
  });

  it('times out a body that stops coming, after the head arrived', async () => {
    const response = await request('/slow-body', { timeoutMs: 300 });
    expect(response.status).toBe(200);
    const error = await failure(readAll(response.body));
    expect(error.code).toBe('OUTBOUND_TIMEOUT');
  });

  it("stops with the caller's reason when the caller's signal aborts, head or body", async () => {
    const early = new AbortController();
    const pending = request('/no-head', { signal: early.signal });
    const reason = new CutoutError('DEADLINE_EXCEEDED', 'the file ran out of time');
    setTimeout(() => early.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);

    const late = new AbortController();
    const response = await request('/slow-body', { signal: late.signal });
    const reading = readAll(response.body);
    late.abort(reason);
    await expect(reading).rejects.toBe(reason);
  });

  it('errors the body past maxResponseBytes', async () => {
    const response = await request('/big-chunked', { maxResponseBytes: 1000 });
    const error = await failure(readAll(response.body));
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toContain('over the');
  });

  it('says the answer was cut off when the connection drops mid-body', async () => {
    const response = await request('/cut-off');
    const error = await failure(readAll(response.body));
    expect(error.code).toBe('OUTBOUND_FAILED');
    expect(error.message).toBe(`${base.slice('http://'.length)}: the answer was cut off`);
  });

  it('reads a body of exactly maxResponseBytes', async () => {
    const response = await request('/big-chunked', { maxResponseBytes: 1600 });
    expect((await readAll(response.body)).byteLength).toBe(1600);
  });

  it('refuses a declared length over maxResponseBytes before reading it', async () => {
    const error = await failure(request('/big-declared', { maxResponseBytes: 1000 }));
    expect(error.code).toBe('INPUT_TOO_LARGE');
  });

  it('refuses the same receiver when loopback is not allowed, without connecting', async () => {
    const before = main.hits.length;
    const strict = createOutboundClient({ allowHttp: true, allowedCidrs: [] });
    const error = await failure(
      strict.send({ url: `${base}/echo`, method: 'GET', timeoutMs: 5_000, maxResponseBytes: 99 }),
    );
    expect(error.code).toBe('OUTBOUND_REFUSED');
    expect(error.message).toBe('127.0.0.1 is a loopback address');
    expect(main.hits.length).toBe(before);
  });

  it('refuses http when the policy is https only, even to an allowed address', async () => {
    const before = main.hits.length;
    const httpsOnly = createOutboundClient({ allowHttp: false, allowedCidrs: ['127.0.0.1/32'] });
    const error = await failure(
      httpsOnly.send({
        url: `${base}/echo`,
        method: 'GET',
        timeoutMs: 5_000,
        maxResponseBytes: 99,
      }),
    );
    expect(error.code).toBe('OUTBOUND_REFUSED');
    expect(error.message).toContain('uses http');
    expect(main.hits.length).toBe(before);
  });

  it('says connection refused, naming the host the caller gave', async () => {
    const closed = createServer();
    const port = await listen(closed, '127.0.0.1');
    closed.close();
    await once(closed, 'close');
    const error = await failure(
      client.send({
        url: `http://127.0.0.1:${port}/`,
        method: 'GET',
        timeoutMs: 5_000,
        maxResponseBytes: 99,
      }),
    );
    expect(error.code).toBe('OUTBOUND_FAILED');
    expect(error.message).toBe(`127.0.0.1:${port}: connection refused`);
  });
});

describe('DNS rebinding', () => {
  // Two receivers on one port: the vetted address (127.0.0.2, allowed) and the one a second DNS
  // answer would point at (127.0.0.1, not allowed). Only the first may ever see a request.
  const vetted = receiver((_req, res) => res.end('vetted'));
  const rebound = receiver((_req, res) => res.end('rebound'));
  let port = 0;

  beforeAll(async () => {
    port = await listen(vetted.server, '127.0.0.2');
    await listen(rebound.server, '127.0.0.1', port);
  });
  afterAll(() => {
    vetted.server.close();
    rebound.server.close();
  });

  it('connects to the address it vetted, whatever DNS answers next', async () => {
    const calls: string[] = [];
    const resolver: Resolver = async (hostname) => {
      calls.push(hostname);
      return [{ address: calls.length === 1 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
    };
    const client = createOutboundClient(
      { allowHttp: true, allowedCidrs: ['127.0.0.2/32'] },
      resolver,
    );
    const response = await client.send({
      url: `http://rebind.test:${port}/hook`,
      method: 'POST',
      body: 'x',
      timeoutMs: 5_000,
      maxResponseBytes: 99,
    });
    expect((await readAll(response.body)).toString()).toBe('vetted');
    expect(calls).toEqual(['rebind.test']);
    expect(vetted.hits).toEqual([
      { method: 'POST', path: '/hook', host: `rebind.test:${port}`, body: 'x' },
    ]);
    expect(rebound.hits).toEqual([]);
  });

  it('refuses outright when the answer it vets is the rebound one', async () => {
    const client = createOutboundClient(
      { allowHttp: true, allowedCidrs: ['127.0.0.2/32'] },
      async () => [{ address: '127.0.0.1', family: 4 }],
    );
    const error = await failure(
      client.send({
        url: `http://rebind.test:${port}/hook`,
        method: 'GET',
        timeoutMs: 5_000,
        maxResponseBytes: 99,
      }),
    );
    expect(error.code).toBe('OUTBOUND_REFUSED');
    expect(error.message).toBe('rebind.test resolves to a loopback address');
    expect(rebound.hits).toEqual([]);
  });
});

describe('https', () => {
  // A self-signed certificate for images.test (test/fixtures/tls, made once with openssl): the
  // guard must verify it (and so refuse it) while naming images.test in the TLS handshake,
  // although it connects to the vetted loopback address.
  const tls = join(import.meta.dirname, '../../fixtures/tls');
  const names: string[] = [];
  const server = createTlsServer(
    {
      key: readFileSync(join(tls, 'images-test.key')),
      cert: readFileSync(join(tls, 'images-test.crt')),
      SNICallback: (servername, callback) => {
        names.push(servername);
        callback(null);
      },
    },
    (_req, res) => res.end('served'),
  );
  let port = 0;

  beforeAll(async () => {
    port = await listen(server, '127.0.0.1');
  });
  afterAll(() => {
    server.close();
  });

  it('names the host in SNI and verifies the certificate', async () => {
    const client = createOutboundClient(
      { allowHttp: false, allowedCidrs: ['127.0.0.1/32'] },
      async () => [{ address: '127.0.0.1', family: 4 }],
    );
    const error = await failure(
      client.send({
        url: `https://images.test:${port}/cat.png`,
        method: 'GET',
        timeoutMs: 5_000,
        maxResponseBytes: 99,
      }),
    );
    expect(error.code).toBe('OUTBOUND_FAILED');
    expect(error.message).toBe(`images.test:${port}: TLS failed (DEPTH_ZERO_SELF_SIGNED_CERT)`);
    expect(names).toEqual(['images.test']);
  });
});
