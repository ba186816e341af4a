import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundClient } from '../../../adapters/http/outbound-client.ts';
import { webhookSender } from '../../../adapters/http/webhook-sender.ts';

/**
 * The webhook POST against a real loopback receiver: only the receiver's status counts, so
 * what it says besides (a framework's HTML page, a body that never ends) is neither read nor a
 * reason to fail the attempt.
 */
describe('webhook sender', () => {
  const open: ServerResponse[] = [];
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    if (req.url === '/big-declared') {
      res.writeHead(200, { 'content-length': String(512 * 1024) });
      res.end(Buffer.alloc(512 * 1024));
    } else if (req.url === '/endless') {
      res.writeHead(202, { 'content-type': 'text/plain' });
      res.write(Buffer.alloc(128 * 1024));
      open.push(res);
    } else if (req.url === '/moved') {
      res.writeHead(308, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else {
      res.writeHead(500).end();
    }
  });
  let base = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    server.close();
  });

  const send = webhookSender(
    createOutboundClient({ allowHttp: true, allowedCidrs: ['127.0.0.1/32'] }),
    5_000,
  );
  const post = (path: string) =>
    send({ url: `${base}${path}`, headers: { 'content-type': 'application/json' }, body: '{}' });

  it('takes a 2xx whose answer declares a large body as delivered', async () => {
    await expect(post('/big-declared')).resolves.toEqual({ status: 200 });
  });

  it('takes the status of an answer whose body never ends, without waiting for it', async () => {
    await expect(post('/endless')).resolves.toEqual({ status: 202 });
  });

  // A redirect is a failed attempt to retry (docs/webhooks.md), not a refused address.
  it('passes a redirect back as its status, without following it', async () => {
    const before = hits.length;
    await expect(post('/moved')).resolves.toEqual({ status: 308 });
    expect(hits.slice(before)).toEqual(['/moved']);
  });

  it('passes a failing status back', async () => {
    await expect(post('/other')).resolves.toEqual({ status: 500 });
  });
});
