import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCutout } from '../../support/cli.ts';
import { tinyModelPath } from '../../support/tiny-model.ts';
import { makeClip } from '../../support/video-fixtures.ts';
import { decodeFrames, probeOutput } from '../../support/video-probe.ts';

/** `refine` on video, end to end: `cutout video --refine` through real ffmpeg and the tiny model. */

let work: string;
let clip: string;

beforeAll(async () => {
  // Written into the model cache the CLI reads (CUTOUT_MODEL_DIR), as manifest id `tiny`.
  await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-cli-video-refine-'));
  clip = join(work, 'clip.mp4');
  await makeClip(clip);
});
afterAll(() => rm(work, { recursive: true, force: true }));

async function alphaOf(name: string, extra: string[]): Promise<Uint8Array> {
  const out = join(work, `${name}.mov`);
  const run = await runCutout(['video', clip, '-o', out, '--model', 'tiny', ...extra]);
  expect(run.stderr).not.toMatch(/PROCESSING_FAILED|INVALID_REQUEST/);
  expect(run.code).toBe(0);
  expect((await probeOutput(out)).video).toMatchObject({ frames: 10 });
  const rgba = await decodeFrames(out, 'rgba');
  return Uint8Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4 + 3] as number);
}

describe('cutout video --refine (real ffmpeg, tiny model)', () => {
  it('converts, and its alpha is the refined one: different, with more certain pixels', {
    timeout: 120_000,
  }, async () => {
    const plain = await alphaOf('plain', []);
    const refined = await alphaOf('refined', ['--refine']);
    expect(refined.length).toBe(plain.length);
    expect(Buffer.from(refined).equals(Buffer.from(plain))).toBe(false);
    // Certain foreground fully opaque, certain background fully transparent.
    const ends = (a: Uint8Array) => a.filter((v) => v === 0 || v === 255).length;
    expect(ends(refined)).toBeGreaterThan(ends(plain));
  });
});
