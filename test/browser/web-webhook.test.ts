import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack } from '../integration/local/local-stack-harness.ts';

/**
 * The web page's webhook inputs in headless Chromium: a URL typed in (with the per-file box)
 * goes to the API as `webhook_url` + `webhook_events`, and a receiver on loopback (allowed by
 * the local stack's outbound exceptions) gets the signed file and job events of that job; a URL
 * the API refuses shows the error naming the field.
 */

interface Received {
  readonly type: string;
  readonly signature: string;
  readonly jobId: string;
}

let stack: LocalStack;
let browser: Browser;
let receiver: Server;
let hookUrl = '';
const received: Received[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { uuid?: string; job_id?: string };
      };
      received.push({
        type: String(req.headers['cutout-event-type']),
        signature: String(req.headers['cutout-signature']),
        jobId: String(body.data.uuid ?? body.data.job_id),
      });
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/cutout`;
  stack = await startTestStack();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  receiver?.close();
});

describe('web page webhook', () => {
  it('sends webhook_url and per-file events; the receiver gets the signed events of the job', async () => {
    const png = await sharp({
      create: { width: 48, height: 32, channels: 3, background: '#d02030' },
    })
      .png()
      .toBuffer();
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(stack.url);
    await page.setInputFiles('#files-input', {
      name: 'red.png',
      mimeType: 'image/png',
      buffer: png,
    });
    await page.getByLabel('Webhook URL', { exact: false }).fill(hookUrl);
    await page.getByLabel('Also when each file finishes').check();
    await page.getByRole('button', { name: 'Remove background' }).click();

    // file.finished comes only with webhook_events from the per-file box.
    await expect
      .poll(() => received.map((r) => r.type).sort(), { timeout: 30_000 })
      .toEqual(['file.finished', 'job.finished']);
    for (const event of received) {
      expect(event.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    }
    expect(new Set(received.map((r) => r.jobId)).size).toBe(1);

    await page.getByLabel('Webhook URL', { exact: false }).fill('ftp://example.com/hook');
    await page.getByRole('button', { name: 'Remove background' }).click();
    await expect
      .poll(() => page.locator('#form-error').textContent(), { timeout: 15_000 })
      .toContain('webhook_url');
  });
});
