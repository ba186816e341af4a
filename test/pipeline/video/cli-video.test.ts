import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCutout } from '../../support/cli.ts';
import { tinyModelPath } from '../../support/tiny-model.ts';
import { makeClip } from '../../support/video-fixtures.ts';
import { decodeFrames, probeOutput } from '../../support/video-probe.ts';

let work: string;
let clip: string;

beforeAll(async () => {
  // Written into the model cache the CLI reads (CUTOUT_MODEL_DIR), as manifest id `tiny`.
  await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-cli-video-'));
  clip = join(work, 'clip.mp4');
  await makeClip(clip);
});
afterAll(() => rm(work, { recursive: true, force: true }));

const cutout = (args: string[]) => runCutout(['video', ...args]);

describe('cutout video (real ffmpeg, tiny model)', () => {
  it('writes <stem>.gif into an output folder it creates, and says what it made', async () => {
    const out = join(work, 'new', 'folder');
    const run = await cutout([clip, '-o', `${out}/`, '--format', 'gif', '--model', 'tiny']);
    expect(run.stderr).not.toMatch(/PROCESSING_FAILED|INVALID_REQUEST/);
    expect(run.code).toBe(0);
    expect(await readdir(out)).toEqual(['clip.gif']);
    expect(run.stdout).toMatch(/clip\.gif \(10 frames, 64x48, .* fps, tiny\)/);
    expect(run.stderr).toMatch(/warning: the audio track was dropped/);
    const p = await probeOutput(join(out, 'clip.gif'));
    expect(p.video).toMatchObject({ codec: 'gif', frames: 10 });
    // Only fully transparent or fully opaque pixels: GIF alpha is binary.
    const rgba = await decodeFrames(join(out, 'clip.gif'), 'rgba');
    const alphas = new Set<number>();
    for (let i = 3; i < rgba.length; i += 4) alphas.add(rgba[i] as number);
    expect([...alphas].sort((a, b) => a - b)).toEqual([0, 255]);
  });

  it('names the missing background flag before loading any model, and writes nothing', async () => {
    const out = join(work, 'no-bg');
    const run = await cutout([
      clip,
      '-o',
      `${out}/`,
      '--format',
      'video_over_image',
      '--model',
      'no-such-model',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'INVALID_REQUEST: --bg-image (background): --format video_over_image needs a background image',
    );
    expect(run.stderr).not.toContain('no-such-model');
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
