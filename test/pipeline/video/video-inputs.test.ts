import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutoutError } from '../../../core/errors.ts';
import { parseVideoOptions } from '../../../core/params/convert-params.ts';
import { removeVideoBackground } from '../../../core/video/remove-video-background.ts';
import { makeClip, makeStill } from '../../support/video-fixtures.ts';
import { createVideoTestRig, type VideoTestRig } from '../../support/video-pipeline.ts';

let rig: VideoTestRig;

beforeAll(async () => {
  rig = await createVideoTestRig();
  await makeClip(rig.file('clip.mp4'));
  await makeClip(rig.file('long.mp4'), { seconds: 4 });
  await makeStill(rig.file('photo.png'));
  const whole = await readFile(rig.file('clip.mp4'));
  await writeFile(rig.file('truncated.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
  await writeFile(rig.file('empty.mp4'), new Uint8Array());
});

afterAll(async () => {
  await rig?.dispose();
});

function convert(input: string, fields: Record<string, unknown> = {}, extra: object = {}) {
  return removeVideoBackground(
    {
      inputPath: rig.file(input),
      outputPath: rig.file(`out-${input}.mov`),
      options: parseVideoOptions(fields),
      ...extra,
    },
    { segmenter: rig.segmenter, codec: rig.codec },
  );
}

async function failure(promise: Promise<unknown>): Promise<CutoutError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CutoutError);
  return error as CutoutError;
}

/** ffmpeg/ffprobe processes that are children of this test process. */
function ffmpegChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /ff(mpeg|probe)/.test(l));
}

describe('video inputs that are not (good) videos', () => {
  it('refuses an image sent as a video, naming the file', async () => {
    const e = await failure(convert('photo.png'));
    expect(e.code).toBe('UNSUPPORTED_MEDIA');
    expect(e.message).toContain('photo.png');
    expect(e.message).toMatch(/image/);
  });

  it('refuses a truncated mp4 as damaged, naming the file', async () => {
    const e = await failure(convert('truncated.mp4'));
    expect(e.code).toBe('DECODE_FAILED');
    expect(e.message).toContain('truncated.mp4');
  });

  it('refuses a zero-length file', async () => {
    const e = await failure(convert('empty.mp4'));
    expect(e.code).toBe('UNSUPPORTED_MEDIA');
    expect(e.message).toContain('empty.mp4');
  });

  it('refuses a missing input file', async () => {
    expect((await failure(convert('nope.mp4'))).code).toBe('INPUT_NOT_FOUND');
  });

  it('refuses a background image that is not an image', async () => {
    const e = await failure(
      convert(
        'clip.mp4',
        { video_format: 'video_over_image' },
        { backgroundPath: rig.file('empty.mp4') },
      ),
    );
    expect(['DECODE_FAILED', 'UNSUPPORTED_MEDIA']).toContain(e.code);
  });

  it('refuses a background video that is an image', async () => {
    const e = await failure(
      convert(
        'clip.mp4',
        { video_format: 'video_over_video' },
        { backgroundPath: rig.file('photo.png') },
      ),
    );
    expect(e.code).toBe('UNSUPPORTED_MEDIA');
    expect(e.message).toMatch(/^background photo\.png: /);
    expect(e.field).toBe('background');
  });
});

describe('cancellation', () => {
  it('kills every ffmpeg child and leaves no output or temp file', async () => {
    const controller = new AbortController();
    // A CutoutError reason (the worker's own: a lost lease, a hand-back) is passed on as it is.
    const reason = new CutoutError('JOB_CONFLICT', 'cancelled by test');
    const run = convert(
      'long.mp4',
      { video_format: 'mov' },
      {
        signal: controller.signal,
        onProgress: (done: number) => {
          if (done === 3) controller.abort(reason);
        },
      },
    );
    await expect(run).rejects.toBe(reason);
    expect(ffmpegChildren()).toEqual([]);
    const left = await readdir(rig.dir);
    expect(left.filter((f) => f.includes('long.mp4.mov') || f.endsWith('.partial'))).toEqual([]);
  });

  it('a run after a cancelled one still succeeds', async () => {
    const result = await convert('clip.mp4', { video_format: 'mattekey', frame_limit: 3 });
    expect(result.frames).toBe(3);
  });
});
