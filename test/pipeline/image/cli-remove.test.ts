import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngClaiming, TEXT_NOT_IMAGE, truncatedJpeg } from '../../support/bad-images.ts';
import { runCutout } from '../../support/cli.ts';
import { readAlpha } from '../../support/image-assert.ts';
import { tinyModelPath } from '../../support/tiny-model.ts';

let work: string;
let model: string;

beforeAll(async () => {
  model = await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-cli-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

function redSquare(): Promise<Buffer> {
  const data = new Uint8Array(64 * 48 * 3).fill(150);
  for (let y = 12; y < 36; y++) {
    for (let x = 16; x < 48; x++) data.set([220, 20, 30], (y * 64 + x) * 3);
  }
  return sharp(data, { raw: { width: 64, height: 48, channels: 3 } })
    .png()
    .toBuffer();
}

describe('cutout remove', () => {
  it('carries on past bad files, reports each reason and exits non-zero', async () => {
    const input = join(work, 'batch');
    const output = join(work, 'batch-out');
    await mkdir(input);
    await writeFile(join(input, 'good.png'), await redSquare());
    await writeFile(join(input, 'zero.png'), new Uint8Array(0));
    await writeFile(join(input, 'cut.jpg'), await truncatedJpeg());
    await writeFile(join(input, 'notes.png'), TEXT_NOT_IMAGE);
    await writeFile(join(input, 'bomb.png'), pngClaiming(30000, 30000));

    const result = await runCutout([
      'remove',
      input,
      join(work, 'missing.png'),
      '-o',
      output,
      '--model',
      model,
    ]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('1 of 6 done, 5 failed');
    const failed = result.stderr.split('\n').filter((line) => line.startsWith('failed: '));
    expect(failed).toHaveLength(5);
    expect(result.stderr).toMatch(/zero\.png: DECODE_FAILED: the file is empty/);
    expect(result.stderr).toMatch(/cut\.jpg: DECODE_FAILED: the jpeg data is corrupt or truncated/);
    expect(result.stderr).toMatch(/notes\.png: UNSUPPORTED_MEDIA: not an image/);
    expect(result.stderr).toMatch(/bomb\.png: INPUT_TOO_LARGE: 30000x30000 is 900\.0 megapixels/);
    expect(result.stderr).toMatch(/missing\.png: INPUT_NOT_FOUND/);

    expect(await readdir(output)).toEqual(['good.png']);
    const alpha = await readAlpha(await sharp(join(output, 'good.png')).toBuffer());
    expect(alpha.data[24 * 64 + 32]).toBeGreaterThan(200);
    expect(alpha.data[2 * 64 + 2]).toBeLessThan(64);
  });

  it('writes masks as WebP with --only-mask --format webp and exits 0', async () => {
    const output = join(work, 'mask-out');
    const file = join(work, 'square.png');
    await writeFile(file, await redSquare());
    const result = await runCutout([
      'remove',
      file,
      '-o',
      output,
      '--model',
      model,
      '--only-mask',
      '--format',
      'webp',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 of 1 done, 0 failed');
    const meta = await sharp(join(output, 'square.webp')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 64, 48]);
  });

  it('names the flag of an out-of-range parameter', async () => {
    const file = join(work, 'flag.png');
    await writeFile(file, await redSquare());
    const result = await runCutout([
      'remove',
      file,
      '-o',
      join(work, 'x'),
      '--model',
      model,
      '--alpha-fg',
      '300',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "INVALID_REQUEST: --alpha-fg (alpha_fg): must be an integer from 0 to 255, got '300'",
    );
  });

  it('names an unknown model id', async () => {
    const file = join(work, 'model.png');
    await writeFile(file, await redSquare());
    const result = await runCutout([
      'remove',
      file,
      '-o',
      join(work, 'y'),
      '--model',
      'no-such-model',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/MODEL_NOT_FOUND: .*no-such-model/);
  });
});

/** Reports, as the process exits, whether it ever loaded node:sqlite. */
const REPORT_SQLITE =
  'data:text/javascript,process.on("exit",()=>{if(process.moduleLoadList.includes("NativeModule sqlite"))process.stderr.write("node:sqlite was loaded\\n")})';

describe('cutout remove as a new user meets it', () => {
  it('prints only its own lines and never loads node:sqlite', async () => {
    const file = join(work, 'quiet.png');
    await writeFile(file, await redSquare());
    const result = await runCutout(['remove', file, '-o', join(work, 'quiet'), '--model', model], {
      nodeArgs: ['--import', REPORT_SQLITE],
    });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/ExperimentalWarning|npm warn|node:sqlite was loaded/i);
    // The one line it prints on stderr: which model it loaded.
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^model file tiny\.onnx loaded from /),
    ]);
  });

  it('serves the default u2net with the bundled IS-Net weights when u2net is not cached, and says so', {
    timeout: 180_000,
  }, async () => {
    const file = join(work, 'fallback.png');
    await writeFile(file, await redSquare());
    // CUTOUT_MODEL_DIR is the test cache: the generated and npm-bundled models, never u2net.
    const result = await runCutout(['remove', file, '-o', join(work, 'fallback')], {
      env: { CUTOUT_MODEL_ALIASES: undefined },
    });
    expect(result.stderr).toMatch(
      /^cutout: u2net not in \S+; serving it with isnet-imgly \(AGPL-3\.0; `npx cutout models pull u2net`/m,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/fallback\.png -> .*fallback\.png \(\d+ ms, isnet-imgly\)/);
  });

  it('keeps an explicit CUTOUT_MODEL_ALIASES, and names the models ready here when one is missing', async () => {
    const file = join(work, 'unavailable.png');
    await writeFile(file, await redSquare());
    const result = await runCutout(['remove', file, '-o', join(work, 'unavailable')], {
      env: { CUTOUT_MODEL_ALIASES: '' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('serving it with');
    expect(result.stderr).toMatch(/MODEL_UNAVAILABLE: model "u2net": no usable weights file/);
    expect(result.stderr).toMatch(
      /Models ready here without a download: (\S+, )*isnet-imgly, (\S+, )*tiny \(--model <id>/,
    );
  });
});
