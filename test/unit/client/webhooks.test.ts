import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutoutClient } from '../../../client/src/index.ts';
import {
  createWebhookReceiver,
  verifyWebhookSignature,
  type WebhookEvent,
} from '../../../client/src/webhooks.ts';

/** The client's webhook side: signatures, the receiver, and wait() woken by an event. */

const SECRET = 'whsec_client-test';

function sign(body: string, t = Math.floor(Date.now() / 1000), secret = SECRET): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

function eventBody(uuid: string, id = `evt_${uuid}`): string {
  return JSON.stringify({
    id,
    type: 'job.finished',
    created: 1,
    data: { uuid, finished: true, files: [], failed: [], errors: [], queue_count: 0 },
  });
}

describe('verifyWebhookSignature', () => {
  it('accepts the HMAC-SHA256 of "<t>.<body>" (value computed with Python hmac)', () => {
    const header = 't=1,v1=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec';
    expect(verifyWebhookSignature('key', header, 'x', 300, 2)).toBe(true);
    expect(verifyWebhookSignature('key', header, new TextEncoder().encode('x'), 300, 2)).toBe(true);
  });

  it('refuses another body or secret, a stale timestamp and a malformed header', () => {
    const body = eventBody('a');
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature(SECRET, sign(body, now), body)).toBe(true);
    expect(verifyWebhookSignature(SECRET, sign(body, now), `${body}\n`)).toBe(false);
    expect(verifyWebhookSignature('whsec_other', sign(body, now), body)).toBe(false);
    expect(verifyWebhookSignature(SECRET, sign(body, now - 301), body, 300)).toBe(false);
    expect(verifyWebhookSignature(SECRET, 'garbage', body)).toBe(false);
    expect(verifyWebhookSignature(SECRET, undefined, body)).toBe(false);
  });
});

describe('createWebhookReceiver and wait({ webhook })', () => {
  let api: Server;
  let base = '';
  const finished = new Set<string>();
  let polls = 0;

  beforeAll(async () => {
    api = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        polls += 1;
        const { uuid } = JSON.parse(Buffer.concat(chunks).toString()) as { uuid: string };
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            files: [],
            failed: [],
            finished: finished.has(uuid),
            queue_count: 0,
            errors: [],
            uuid,
            status: finished.has(uuid) ? 'done' : 'running',
            progress: 0.5,
            items: [],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => api.close(() => resolve())));

  it('answers 400 to a bad signature and 200 to a good one, reporting each event id once', async () => {
    const events: WebhookEvent[] = [];
    const receiver = await createWebhookReceiver({
      secret: SECRET,
      onEvent: (e) => events.push(e),
    });
    try {
      const body = eventBody('job-x');
      const post = (signature: string) =>
        fetch(receiver.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'cutout-signature': signature },
          body,
        });
      expect((await post(sign(body, undefined, 'whsec_wrong'))).status).toBe(400);
      expect((await post(sign(body))).status).toBe(200);
      expect((await post(sign(body))).status).toBe(200);
      expect(events.map((e) => e.id)).toEqual(['evt_job-x']);
      // Arrived before anyone asked: waitFor resolves at once.
      await receiver.waitFor('job-x');
    } finally {
      await receiver.close();
    }
  });

  it('remembers only the latest rememberEvents ids, so its memory stays bounded', async () => {
    const events: string[] = [];
    const receiver = await createWebhookReceiver({
      secret: SECRET,
      rememberEvents: 2,
      onEvent: (e) => events.push(e.id),
    });
    try {
      for (const uuid of ['a', 'b', 'c', 'b', 'a']) {
        const body = eventBody(uuid);
        const res = await fetch(receiver.url, {
          method: 'POST',
          headers: { 'cutout-signature': sign(body) },
          body,
        });
        expect(res.status).toBe(200);
      }
      // 'b' was still remembered when it came again; 'a' had been dropped for 'c'.
      expect(events).toEqual(['evt_a', 'evt_b', 'evt_c', 'evt_a']);
    } finally {
      await receiver.close();
    }
  });

  it('wakes wait() when the job.finished event arrives, well before its next poll', async () => {
    const receiver = await createWebhookReceiver({ secret: SECRET });
    try {
      const client = new CutoutClient({ baseUrl: base });
      polls = 0;
      // A minute between polls: without the webhook this would outlast the test's timeout.
      const waiting = client.wait('job-y', { webhook: receiver, intervalMs: 60_000 });
      while (polls === 0) await new Promise((r) => setTimeout(r, 10));
      finished.add('job-y');
      const body = eventBody('job-y');
      const res = await fetch(receiver.url, {
        method: 'POST',
        headers: { 'cutout-signature': sign(body) },
        body,
      });
      expect(res.status).toBe(200);
      const results = await waiting;
      expect(results.finished).toBe(true);
      expect(polls).toBe(2);
    } finally {
      await receiver.close();
    }
  });
});
