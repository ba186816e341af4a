import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCutout } from '../../support/cli.ts';
import { tinyModelPath } from '../../support/tiny-model.ts';

let work: string;
let model: string;
let input: string;

/** A red 32x24 square (the tiny model's foreground) at (16, 12) on blue-grey, 64x48. */
function redSquare(): Promise<Buffer> {
  const data = new Uint8Array(64 * 48 * 3);
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 64; x++) {
      const inside = x >= 16 && x < 48 && y >= 12 && y < 36;
      data.set(inside ? [220, 20, 30] : [90, 110, 140], (y * 64 + x) * 3);
    }
  }
  return sharp(data, { raw: { width: 64, height: 48, channels: 3 } })
    .png()
    .toBuffer();
}

beforeAll(async () => {
  model = await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-cli-controls-'));
  input = join(work, 'square.png');
  await writeFile(input, await redSquare());
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('cutout remove output controls', () => {
  it('--crop --crop-margin --output-format jpg --bg-color names writes a cropped .jpg', async () => {
    const output = join(work, 'jpg');
    const result = await runCutout([
      'remove',
      input,
      '-o',
      output,
      '--model',
      model,
      '--crop',
      '--crop-margin',
      '2px',
      '--bg-color',
      'white',
      '--output-format',
      'jpg',
    ]);
    expect(result.stderr).not.toContain('warning');
    expect(result.code).toBe(0);
    expect(await readdir(output)).toEqual(['square.jpg']);
    const meta = await sharp(join(output, 'square.jpg')).metadata();
    expect(meta.format).toBe('jpeg');
    // The 32x24 square plus 2 px a side, give or take the mask's resampling.
    expect(Math.abs((meta.width ?? 0) - 36)).toBeLessThanOrEqual(5);
    expect(Math.abs((meta.height ?? 0) - 28)).toBeLessThanOrEqual(5);
  });

  it('--size and --channels alpha write a smaller grayscale .png', async () => {
    const output = join(work, 'alpha');
    const result = await runCutout([
      'remove',
      input,
      '-o',
      output,
      '--model',
      model,
      '--size',
      '32',
      '--channels',
      'alpha',
      '--format',
      'webp',
    ]);
    expect(result.code).toBe(0);
    expect(await readdir(output)).toEqual(['square.png']);
    const meta = await sharp(join(output, 'square.png')).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 32, 24, 1]);
  });

  it.each([
    [['--output-format', 'jpg'], '--format (output_format): jpg needs an opaque background'],
    [['--crop', '--crop-margin', '5em'], '--crop-margin (crop_margin): must be pixels'],
    [['--scale', '0'], '--scale (scale): must be original or a percentage'],
    [['--position', 'middle'], '--position (position): must be original, center'],
    [['--size', 'huge'], '--size (size): must be a longest side'],
    [['--channels', 'rgb'], '--channels (channels): must be one of rgba, alpha'],
    [['--bg-color', 'grn'], '--bg-color (bg_color_value): must be a hex colour'],
  ])('refuses %j naming the flag and the field', async (flags, message) => {
    const result = await runCutout([
      'remove',
      input,
      '-o',
      join(work, 'bad'),
      '--model',
      model,
      ...flags,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
