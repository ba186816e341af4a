import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack } from '../integration/local/local-stack-harness.ts';
import { makeClip } from '../support/video-fixtures.ts';

/** The web page's refine box for video (Debian's Chromium, headless; real ffmpeg and the tiny model). */

let stack: LocalStack;
let browser: Browser;
let work: string;

beforeAll(async () => {
  stack = await startTestStack({ workers: 1, video: true });
  work = await mkdtemp(join(tmpdir(), 'cutout-web-video-refine-'));
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

describe('web page: refine on a video', () => {
  it('sends refine=true for a video when its box is ticked, and the job finishes', {
    timeout: 90_000,
  }, async () => {
    const clip = join(work, 'clip.mp4');
    await makeClip(clip);
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
    await page.getByLabel('Video', { exact: true }).check();
    await page.setInputFiles('#files-input', clip);
    await page.getByLabel("Refine each frame's mask", { exact: false }).check();
    await page.getByRole('button', { name: 'Remove background' }).click();
    await page.locator('.state.done').waitFor({ timeout: 60_000 });
    expect(await page.locator('.state.done').textContent()).toBe('Done: clip.mov');
    const sent = await page.evaluate(() => (window as unknown as { sent: string[] }).sent);
    expect(sent).toEqual(
      expect.arrayContaining(['convert_to=video-backgroundremover', 'refine=true']),
    );
    await page.close();
  });
});
