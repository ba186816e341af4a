import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack } from '../integration/local/local-stack-harness.ts';

/**
 * The web page's Image URL input in headless Chromium: two URLs typed in go to the API as
 * `image_url`, the one that exists is converted and shown, the one that 404s shows its reason;
 * a URL the API refuses shows the error naming the field.
 */

let stack: LocalStack;
let browser: Browser;
let images: Server;
let base = '';

beforeAll(async () => {
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c02020' } })
    .png()
    .toBuffer();
  images = createServer((req, res) => {
    if (req.url === '/gallery/red%20box.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    } else {
      res.writeHead(404).end();
    }
  });
  images.listen(0, '127.0.0.1');
  await once(images, 'listening');
  base = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  stack = await startTestStack();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  images?.close();
});

describe('web page image URL', () => {
  it('converts an image URL, shows a failed one with its reason, and a refused one as an error', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(stack.url);
    await page
      .getByLabel('Image URL', { exact: false })
      .fill(`${base}/gallery/red%20box.png\n${base}/gone.png`);
    await page.getByRole('button', { name: 'Remove background' }).click();
    await page.waitForFunction(
      () => {
        const img = document.querySelector('img.result-media');
        return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    const shown = await page.locator('img.result-media').evaluate((img) => {
      const el = img as HTMLImageElement;
      return { w: el.naturalWidth, h: el.naturalHeight, src: el.getAttribute('src') ?? '' };
    });
    expect(shown).toEqual({ w: 40, h: 30, src: expect.stringMatching(/\/red%20box\.png$/) });
    await expect
      .poll(() => page.locator('.result h3').allTextContents(), { timeout: 15_000 })
      .toEqual(['red box.png', 'gone.png']);
    await expect
      .poll(() => page.locator('.state.failed').textContent(), { timeout: 15_000 })
      .toBe(`Failed: gone.png: image_url ${base}/gone.png: answered HTTP 404`);

    await page.getByLabel('Image URL', { exact: false }).fill('ftp://example.com/a.png');
    await page.getByRole('button', { name: 'Remove background' }).click();
    await expect
      .poll(() => page.locator('#form-error').textContent(), { timeout: 15_000 })
      .toContain("image_url: 'ftp://example.com/a.png': the URL uses ftp");
    await page.close();
  });
});
