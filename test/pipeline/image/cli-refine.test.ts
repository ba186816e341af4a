import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../core/pipeline/decode-image.ts';
import { refineModelMask } from '../../../core/pipeline/refine/refine-model-mask.ts';
import { runCutout } from '../../support/cli.ts';
import { readGray } from '../../support/image-assert.ts';
import { tinyModelPath } from '../../support/tiny-model.ts';

/** `cutout remove --refine`: the real CLI, real ONNX (the generated tiny model). */

const FIXTURES = join(import.meta.dirname, '../../fixtures/images');
let work: string;
let model: string;

beforeAll(async () => {
  model = await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-cli-refine-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('cutout remove --refine', () => {
  it('writes the model mask refined against the photo', { timeout: 60_000 }, async () => {
    const input = join(work, 'lemur.jpg');
    await copyFile(join(FIXTURES, 'lemur.jpg'), input);
    const run = async (dir: string, extra: string[]) => {
      const result = await runCutout([
        'remove',
        input,
        '-o',
        join(work, dir),
        '--model',
        model,
        '--channels',
        'alpha',
        ...extra,
      ]);
      expect(result.code).toBe(0);
      return readGray(join(work, dir, 'lemur.png'));
    };
    const plain = await run('plain', []);
    const refined = await run('refined', ['--refine']);
    const { rgb } = await decodeImage(await readFile(input), { maxPixels: 1e8, label: 'lemur' });
    const expected = refineModelMask(rgb, plain);
    expect(Buffer.from(refined.data).equals(Buffer.from(expected.data))).toBe(true);
    expect(Buffer.from(refined.data).equals(Buffer.from(plain.data))).toBe(false);
  });
});
