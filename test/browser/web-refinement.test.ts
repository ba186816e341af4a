import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack } from '../integration/local/local-stack-harness.ts';

/** The web page's mask refinement controls, and a HEIC chosen in it (Debian's Chromium, headless). */

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('web page: mask refinement and HEIC', () => {
  it('sends mask_shift, mask_feather, despill and refine with a HEIC and shows the upright result', async () => {
    const page = await browser.newPage();
    // The form's text fields as the page appends them (the request body itself is a stream).
    await page.addInitScript(() => {
      const sent: string[] = [];
      (window as unknown as { sent: string[] }).sent = sent;
      const append = FormData.prototype.append as (this: FormData, ...args: unknown[]) => void;
      (FormData.prototype as unknown as { append: typeof append }).append = function (
        this: FormData,
        ...args: unknown[]
      ) {
        if (typeof args[1] === 'string') sent.push(`${String(args[0])}=${args[1]}`);
        append.apply(this, args);
      };
    });
    await page.goto(stack.url);
    await page.setInputFiles('#files-input', join(FIXTURES, 'lemur-rotated.heic'));
    await page.getByLabel('Grow or shrink the subject', { exact: false }).fill('-3');
    await page.getByLabel('Soft edge', { exact: false }).fill('6');
    await page.getByLabel('despill', { exact: false }).check();
    await page.getByLabel('(refine)', { exact: false }).check();
    await page.getByRole('button', { name: 'Remove background' }).click();
    await page.waitForFunction(
      () => {
        const img = document.querySelector('img.result-media');
        return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    const size = await page
      .locator('img.result-media')
      .evaluate((img) => [
        (img as HTMLImageElement).naturalWidth,
        (img as HTMLImageElement).naturalHeight,
      ]);
    expect(size).toEqual([110, 170]);
    const sent = await page.evaluate(() => (window as unknown as { sent: string[] }).sent);
    expect(sent).toEqual(
      expect.arrayContaining(['mask_shift=-3', 'mask_feather=6', 'despill=true', 'refine=true']),
    );
    await page.close();
  });

  it("shows the API's error naming the field for a value out of range", async () => {
    const page = await browser.newPage();
    await page.goto(stack.url);
    await page.setInputFiles('#files-input', join(FIXTURES, 'lemur.heic'));
    await page.getByLabel('Soft edge', { exact: false }).fill('80');
    await page.getByRole('button', { name: 'Remove background' }).click();
    await page
      .locator('#form-error')
      .filter({ hasText: 'mask_feather' })
      .waitFor({ timeout: 15_000 });
    expect(await page.locator('#form-error').textContent()).toMatch(/mask_feather.*0 to 50/);
    await page.close();
  });
});
