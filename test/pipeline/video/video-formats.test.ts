import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVideoOptions } from '../../../core/params/convert-params.ts';
import { removeVideoBackground } from '../../../core/video/remove-video-background.ts';
import { makeClip } from '../../support/video-fixtures.ts';
import { createVideoTestRig, pixelAt, type VideoTestRig } from '../../support/video-pipeline.ts';
import { decodeFrames, probeOutput } from '../../support/video-probe.ts';

const SIZE = { width: 64, height: 48 };
// Inside the red box for the whole clip, and well outside it.
const INSIDE = [18, 24] as const;
const OUTSIDE = [54, 6] as const;

let rig: VideoTestRig;
let clip: string;

beforeAll(async () => {
  rig = await createVideoTestRig();
  clip = rig.file('clip.mp4');
  await makeClip(clip);
  await promisify(execFile)('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=0xffff00:s=100x30',
    '-frames:v',
    '1',
    rig.file('bg.png'),
  ]);
  // A shorter, differently sized background video with its own audio, and a silent subject clip.
  await makeClip(rig.file('bg.mp4'), { width: 80, height: 40, seconds: 0.5 });
  await makeClip(rig.file('silent.mp4'), { audio: false });
});

afterAll(async () => {
  await rig?.dispose();
});

async function convert(fields: Record<string, unknown>, name: string, extra: object = {}) {
  return removeVideoBackground(
    {
      inputPath: clip,
      outputPath: rig.file(name),
      options: parseVideoOptions(fields),
      ...extra,
    },
    { segmenter: rig.segmenter, codec: rig.codec },
  );
}

const nearly = (actual: number[], expected: number[], tolerance = 40) =>
  actual.every((v, i) => Math.abs(v - (expected[i] ?? 0)) <= tolerance);

describe('video formats (real ffmpeg, tiny model)', () => {
  it('mov: ProRes 4444 with alpha, source size, rate, frames and audio', async () => {
    const result = await convert({ video_format: 'mov' }, 'out.mov');
    expect(result).toMatchObject({ frames: 10, extension: 'mov', contentType: 'video/quicktime' });
    const p = await probeOutput(result.outputPath);
    expect(p.video).toMatchObject({
      codec: 'prores',
      width: 64,
      height: 48,
      frameRate: '10/1',
      frames: 10,
    });
    expect(p.video.pixFmt).toMatch(/^yuva444p/);
    expect(p.duration).toBeCloseTo(1, 1);
    expect(p.audioCodec).toBe('aac');
    const rgba = await decodeFrames(result.outputPath, 'rgba');
    expect(pixelAt(rgba, SIZE, 4, 0, ...INSIDE)[3]).toBeGreaterThan(230);
    expect(pixelAt(rgba, SIZE, 4, 9, ...OUTSIDE)[3]).toBeLessThan(25);
  });

  it('mov with mov_codec=qtrle: QuickTime Animation, argb', async () => {
    const result = await convert({ video_format: 'mov', mov_codec: 'qtrle' }, 'rle.mov');
    const p = await probeOutput(result.outputPath);
    expect(p.video).toMatchObject({ codec: 'qtrle', pixFmt: 'argb', frames: 10 });
  });

  it('webm: VP9 with an alpha channel and Opus audio', async () => {
    const result = await convert({ video_format: 'webm' }, 'out.webm');
    const p = await probeOutput(result.outputPath);
    expect(p.video).toMatchObject({ codec: 'vp9', alphaMode: '1', frames: 10 });
    expect(p.audioCodec).toBe('opus');
    // Only the libvpx decoder reads VP9 alpha.
    const rgba = await decodeFrames(result.outputPath, 'rgba', 'libvpx-vp9');
    expect(pixelAt(rgba, SIZE, 4, 5, ...INSIDE)[3]).toBeGreaterThan(230);
    expect(pixelAt(rgba, SIZE, 4, 5, ...OUTSIDE)[3]).toBeLessThan(25);
  });

  it('mattekey: a full-resolution black-and-white matte of the subject', async () => {
    const result = await convert({ video_format: 'mattekey' }, 'matte.mp4');
    expect(result.extension).toBe('mp4');
    const p = await probeOutput(result.outputPath);
    expect(p.video).toMatchObject({ codec: 'h264', width: 64, height: 48, frames: 10 });
    expect(p.audioCodec).toBe('aac');
    const gray = await decodeFrames(result.outputPath, 'gray');
    for (const frame of [0, 9]) {
      expect(pixelAt(gray, SIZE, 1, frame, ...INSIDE)[0]).toBeGreaterThan(225);
      expect(pixelAt(gray, SIZE, 1, frame, ...OUTSIDE)[0]).toBeLessThan(30);
    }
  });

  it('gif: transparent, 10 fps, no audio', async () => {
    const result = await convert({ video_format: 'gif' }, 'out.gif');
    expect(result.warnings.join()).toMatch(/audio/);
    const p = await probeOutput(result.outputPath);
    expect(p.video).toMatchObject({ codec: 'gif', frames: 10 });
    expect(p.audioCodec).toBeUndefined();
    const rgba = await decodeFrames(result.outputPath, 'rgba');
    expect(pixelAt(rgba, SIZE, 4, 3, ...OUTSIDE)[3]).toBe(0);
    const inside = pixelAt(rgba, SIZE, 4, 3, ...INSIDE);
    expect(inside[3]).toBe(255);
    expect(nearly(inside.slice(0, 3), [255, 0, 0])).toBe(true);
  });

  it('gif_with_bg: the subject over the background image, filling the frame', async () => {
    const result = await convert({ video_format: 'gif_with_bg' }, 'bg.gif', {
      backgroundPath: rig.file('bg.png'),
    });
    const p = await probeOutput(result.outputPath);
    expect(p.video).toMatchObject({ codec: 'gif', width: 64, height: 48, frames: 10 });
    const rgb = await decodeFrames(result.outputPath, 'rgb24');
    expect(nearly(pixelAt(rgb, SIZE, 3, 2, ...OUTSIDE), [255, 255, 0])).toBe(true);
    expect(nearly(pixelAt(rgb, SIZE, 3, 2, ...INSIDE), [255, 0, 0])).toBe(true);
  });

  it('mp4_with_color: H.264 over video_bg_color, with audio', async () => {
    const result = await convert(
      { video_format: 'mp4_with_color', video_bg_color: '#00ff00' },
      'color.mp4',
    );
    const p = await probeOutput(result.outputPath);
    expect(p.video).toMatchObject({
      codec: 'h264',
      pixFmt: 'yuv420p',
      frames: 10,
      frameRate: '10/1',
    });
    expect(p.audioCodec).toBe('aac');
    const rgb = await decodeFrames(result.outputPath, 'rgb24');
    expect(nearly(pixelAt(rgb, SIZE, 3, 4, ...OUTSIDE), [0, 255, 0])).toBe(true);
    expect(nearly(pixelAt(rgb, SIZE, 3, 4, ...INSIDE), [255, 0, 0])).toBe(true);
  });

  it('video_over_image: every frame (not one) over the image, at the source rate', async () => {
    const result = await convert({ video_format: 'video_over_image' }, 'over-image.mp4', {
      backgroundPath: rig.file('bg.png'),
    });
    const p = await probeOutput(result.outputPath);
    expect(p.video).toMatchObject({ codec: 'h264', frames: 10, frameRate: '10/1' });
    expect(p.audioCodec).toBe('aac');
    const rgb = await decodeFrames(result.outputPath, 'rgb24');
    expect(nearly(pixelAt(rgb, SIZE, 3, 9, ...OUTSIDE), [255, 255, 0])).toBe(true);
  });

  it('video_over_video: the subject over a looped background video, with its audio', async () => {
    const result = await removeVideoBackground(
      {
        inputPath: rig.file('silent.mp4'),
        backgroundPath: rig.file('bg.mp4'),
        outputPath: rig.file('over-video.mp4'),
        options: parseVideoOptions({ video_format: 'video_over_video' }),
      },
      { segmenter: rig.segmenter, codec: rig.codec },
    );
    const p = await probeOutput(result.outputPath);
    // The subject's length and size; the 0.5 s background loops instead of freezing.
    expect(p.video).toMatchObject({ codec: 'h264', width: 64, height: 48, frames: 10 });
    expect(p.audioCodec).toBe('aac');
    expect(p.duration).toBeCloseTo(1, 1);
    const rgb = await decodeFrames(result.outputPath, 'rgb24');
    // The background clip is blue with its own red box: outside both boxes stays blue.
    expect(nearly(pixelAt(rgb, SIZE, 3, 8, 60, 2), [0, 0, 255], 60)).toBe(true);
  });

  it('framerate resamples (half the frames, same duration) and frame_limit caps input frames', async () => {
    const half = await convert({ video_format: 'mp4_with_color', framerate: 5 }, 'fps5.mp4');
    const p5 = await probeOutput(half.outputPath);
    expect(p5.video).toMatchObject({ frames: 5, frameRate: '5/1' });
    expect(p5.duration).toBeCloseTo(1, 1);

    const limited = await convert({ video_format: 'mov', frame_limit: 4 }, 'limit.mov');
    const p4 = await probeOutput(limited.outputPath);
    expect(p4.video.frames).toBe(4);
    expect(p4.duration).toBeCloseTo(0.4, 1);
  });
});
