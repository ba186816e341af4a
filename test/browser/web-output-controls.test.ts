import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack } from '../integration/local/local-stack-harness.ts';

/**
 * The web page's output controls in headless Chromium: crop + WebP reach the API under their
 * own names and the cropped WebP renders; a bad value shows the API's error naming the field.
 */

let stack: LocalStack;
let browser: Browser;
let work: string;

beforeAll(async () => {
  stack = await startTestStack();
  work = await mkdtemp(join(tmpdir(), 'cutout-browser-controls-'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A red 60x40 square (the tiny model's foreground) at (50, 30) in a 160x120 blue-grey frame. */
async function redSquare(path: string): Promise<void> {
  const data = new Uint8Array(160 * 120 * 3);
  for (let y = 0; y < 120; y++) {
    for (let x = 0; x < 160; x++) {
      const inside = x >= 50 && x < 110 && y >= 30 && y < 70;
      data.set(inside ? [220, 20, 30] : [90, 110, 140], (y * 160 + x) * 3);
    }
  }
  await writeFile(
    path,
    await sharp(data, { raw: { width: 160, height: 120, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

describe('web page output controls', () => {
  it('crops to the subject as WebP, and shows a bad size naming the field', async () => {
    const input = join(work, 'square.png');
    await redSquare(input);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(stack.url);
    await page.setInputFiles('#files-input', input);
    await page.getByLabel('Crop to the subject').check();
    await page.getByLabel('Crop margin', { exact: false }).fill('5');
    await page.selectOption('#output_format', 'webp');
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
    expect(shown.src).toMatch(/\/square\.webp$/);
    // 60x40 plus 5 px a side, give or take the mask's resampling.
    expect(Math.abs(shown.w - 70)).toBeLessThanOrEqual(4);
    expect(Math.abs(shown.h - 50)).toBeLessThanOrEqual(4);

    await page.getByLabel('Largest size', { exact: false }).fill('huge');
    await page.getByRole('button', { name: 'Remove background' }).click();
    await expect
      .poll(() => page.locator('#form-error').textContent(), { timeout: 15_000 })
      .toContain('size: must be a longest side in pixels');
    await page.close();
  });
});
