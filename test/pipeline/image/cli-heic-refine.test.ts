import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCutout } from '../../support/cli.ts';
import { readAlpha } from '../../support/image-assert.ts';
import { tinyModelPath } from '../../support/tiny-model.ts';

/** `cutout remove` on a HEIC and with the mask refinement flags: the real CLI, real ONNX. */

const FIXTURES = join(import.meta.dirname, '../../fixtures/images');
let work: string;
let model: string;

beforeAll(async () => {
  model = await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-cli-heic-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** A red square on grey: the tiny model keeps what is red. */
function redSquare(): Promise<Buffer> {
  const data = new Uint8Array(64 * 48 * 3).fill(150);
  for (let y = 12; y < 36; y++) {
    for (let x = 16; x < 48; x++) data.set([220, 20, 30], (y * 64 + x) * 3);
  }
  return sharp(data, { raw: { width: 64, height: 48, channels: 3 } })
    .png()
    .toBuffer();
}

const opaqueCount = async (file: string) =>
  (await readAlpha(await sharp(file).toBuffer())).data.filter((v) => v >= 128).length;

describe('cutout remove with HEIC and mask refinement', () => {
  it('decodes a rotated iPhone-style HEIC and writes it upright', async () => {
    const input = join(work, 'portrait.heic');
    await copyFile(join(FIXTURES, 'lemur-rotated.heic'), input);
    const output = join(work, 'heic-out');
    const result = await runCutout(['remove', input, '-o', output, '--model', model]);
    expect(result.stderr).not.toMatch(/warning|failed/);
    expect(result.code).toBe(0);
    expect(await readdir(output)).toEqual(['portrait.png']);
    const meta = await sharp(join(output, 'portrait.png')).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 110, 170, 4]);
  });

  it('picks up .heic and .heif files in a folder', async () => {
    const folder = join(work, 'folder');
    await mkdir(folder);
    await copyFile(join(FIXTURES, 'lemur.heic'), join(folder, 'a.heic'));
    await copyFile(join(FIXTURES, 'lemur-rotated.heic'), join(folder, 'b.HEIF'));
    const output = join(work, 'folder-out');
    const result = await runCutout([
      'remove',
      folder,
      '-o',
      output,
      '--model',
      model,
      '--only-mask',
    ]);
    expect(result.code).toBe(0);
    expect((await readdir(output)).sort()).toEqual(['a.png', 'b.png']);
  });

  it('grows, shrinks and despills with --mask-shift, --mask-feather and --despill', async () => {
    const file = join(work, 'square.png');
    await writeFile(file, await redSquare());
    const run = async (name: string, flags: string[]) => {
      const output = join(work, name);
      const result = await runCutout(['remove', file, '-o', output, '--model', model, ...flags]);
      expect(result.code).toBe(0);
      return join(output, 'square.png');
    };
    const plain = await opaqueCount(await run('plain', []));
    const grown = await opaqueCount(await run('grown', ['--mask-shift', '3']));
    const shrunk = await opaqueCount(await run('shrunk', ['--mask-shift', '-3']));
    expect(grown).toBeGreaterThan(plain + 100);
    expect(shrunk).toBeLessThan(plain - 100);
    const soft = await readAlpha(
      await sharp(await run('soft', ['--mask-feather', '12', '--despill'])).toBuffer(),
    );
    expect(soft.data.filter((v) => v > 10 && v < 245).length).toBeGreaterThan(300);
  });

  it('names the flag of a bad value', async () => {
    const file = join(work, 'bad.png');
    await writeFile(file, await redSquare());
    const result = await runCutout([
      'remove',
      file,
      '-o',
      join(work, 'bad-out'),
      '--model',
      model,
      '--mask-shift',
      '-30',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "INVALID_REQUEST: --mask-shift (mask_shift): must be an integer from -20 to 20, got '-30'",
    );
  });
});
