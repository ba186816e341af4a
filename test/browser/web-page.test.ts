import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack } from '../integration/local/local-stack-harness.ts';
import { samplePng } from '../integration/worker/worker-harness.ts';

/**
 * The web page in Debian's Chromium (headless, no downloads): choose a file, convert with the
 * development key the stack put into the page, watch it finish, see the result image render.
 */

let stack: LocalStack;
let browser: Browser;
let shots: string;

beforeAll(async () => {
  stack = await startTestStack();
  shots = await mkdtemp(join(tmpdir(), 'cutout-browser-'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (shots && !process.env.CUTOUT_KEEP_SCREENSHOTS)
    await rm(shots, { recursive: true, force: true });
});

describe('web page', () => {
  it('uploads an image, shows progress, and renders the before/after result', async () => {
    const input = join(shots, 'portrait.png');
    await writeFile(input, await samplePng(160, 120, 4));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(stack.url);
    expect(await page.title()).toContain('cutout');
    // The page is usable by label, the way assistive technology finds it.
    await expect(page.getByLabel('Alpha matting', { exact: false }).isVisible()).resolves.toBe(
      true,
    );
    expect(await page.locator('#api_key').inputValue()).toBe(stack.apiKey);

    await page.setInputFiles('#files-input', input);
    await expect(page.locator('#chosen-files li').textContent()).resolves.toContain('portrait.png');
    await page.selectOption('#bg_type', 'transparent');
    await page.getByRole('button', { name: 'Remove background' }).click();

    const result = page.locator('img.result-media');
    await result.waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const img = document.querySelector('img.result-media');
        return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
      },
      undefined,
      { timeout: 15_000 },
    );
    const size = await result.evaluate((img) => {
      const el = img as HTMLImageElement;
      return { w: el.naturalWidth, h: el.naturalHeight, src: el.getAttribute('src') };
    });
    expect(size.w).toBe(160);
    expect(size.h).toBe(120);
    expect(size.src).toMatch(/^\/v1\/files\/[0-9a-f-]{36}\/portrait\.png$/);
    expect(await page.locator('#status').textContent()).toContain('Finished: 1 done, 0 failed');
    expect(await page.locator('a.download').getAttribute('download')).toBe('portrait.png');

    const shot = join(shots, 'web-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`web page: result ${size.w}x${size.h} rendered; screenshot ${shot}`);
    await page.close();
  });

  it('sends large selections straight to S3 through presigned POSTs', async () => {
    const input = join(shots, 'big.png');
    await writeFile(input, await samplePng(90, 70, 8));
    const page = await browser.newPage();
    await page.goto(`${stack.url}/?upload=presigned`);
    await page.setInputFiles('#files-input', input);
    const convertBodies: string[] = [];
    page.on('request', (r) => {
      if (/\/v1\/convert\/?$/.test(r.url())) convertBodies.push(r.postData() ?? '');
    });
    await page.getByRole('button', { name: 'Remove background' }).click();
    await page.waitForFunction(
      () => {
        const img = document.querySelector('img.result-media');
        return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    expect(convertBodies).toHaveLength(1);
    expect(convertBodies[0]).toContain('"filename":"big.png"');
    // The convert request carried the list only, not the file's bytes.
    expect(convertBodies[0]).not.toContain('PNG');
    expect(await page.locator('#status').textContent()).toContain('Finished: 1 done, 0 failed');
    // The page spoke the API through the typed client's bundle.
    const loaded = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname),
    );
    expect(loaded).toContain('/client.js');
    await page.close();
  });
});
