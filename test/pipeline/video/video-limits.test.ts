import { readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullFrameQueue, MIN_QUEUE_FRAMES } from '../../../adapters/ffmpeg/ffmpeg-args.ts';
import { passBuffers } from '../../../adapters/ffmpeg/ffmpeg-pass.ts';
import { parseVideoOptions } from '../../../core/params/convert-params.ts';
import { removeVideoBackground } from '../../../core/video/remove-video-background.ts';
import type { VideoCodec } from '../../../core/video/video-codec.ts';
import { DEFAULT_VIDEO_LIMITS, type VideoLimits } from '../../../core/video/video-limits.ts';
import { ffmpegChildPids } from '../../support/child-processes.ts';
import { rejection } from '../../support/rejection.ts';
import { makeClip, makeStill } from '../../support/video-fixtures.ts';
import { createVideoTestRig, type VideoTestRig } from '../../support/video-pipeline.ts';

let rig: VideoTestRig;
let passes = 0;
let outputs = 0;
let counted: VideoCodec;

beforeAll(async () => {
  rig = await createVideoTestRig();
  await makeClip(rig.file('clip.mp4'));
  await makeClip(rig.file('long.mp4'), { seconds: 4 });
  await makeStill(rig.file('small.png'));
  counted = {
    probe: rig.codec.probe,
    readImage: rig.codec.readImage,
    start(request) {
      passes++;
      return rig.codec.start(request);
    },
  };
});

afterAll(async () => {
  await rig?.dispose();
});

function convert(
  input: string,
  limits: Partial<VideoLimits>,
  fields: Record<string, unknown> = { video_format: 'mov' },
  extra: object = {},
  codec: VideoCodec = counted,
) {
  return removeVideoBackground(
    {
      inputPath: rig.file(input),
      outputPath: rig.file(`out-${input}-${++outputs}.mov`),
      options: parseVideoOptions(fields),
      limits: { ...DEFAULT_VIDEO_LIMITS, ...limits },
      ...extra,
    },
    { segmenter: rig.segmenter, codec },
  );
}

/** The last call's output, or its temporary file, if either is left. */
async function leftovers(): Promise<string[]> {
  return (await readdir(rig.dir)).filter((f) => f.includes(`-${outputs}.mov`));
}

/** A PNG whose header declares width x height (no pixel data: refused before decoding). */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'ascii');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 2, 0, 0, 0], 16);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
}

describe('video bounds, checked on the probe before decoding', () => {
  it.each([
    [{ maxWidth: 32 }, /64 pixels wide, over the limit of 32/],
    [{ maxHeight: 40 }, /48 pixels high, over the limit of 40/],
    [{ maxDurationSeconds: 2 }, /4 s long, over the limit of 2 s/],
    [{ maxFrames: 30 }, /40 frames, over the limit of 30/],
  ])(
    'refuses %o with INPUT_TOO_LARGE naming the limit, starting no ffmpeg pass',
    async (limits, text) => {
      const before = passes;
      const e = await rejection(convert('long.mp4', limits));
      expect(e.code).toBe('INPUT_TOO_LARGE');
      expect(e.retryable).toBe(false);
      expect(e.message).toMatch(/^long\.mp4: /);
      expect(e.message).toMatch(text);
      expect(passes).toBe(before);
      expect(ffmpegChildPids()).toEqual([]);
    },
  );

  it('counts frame_limit: a long input cut to what the limit allows passes', async () => {
    const result = await convert(
      'long.mp4',
      { maxFrames: 30, maxDurationSeconds: 2 },
      {
        video_format: 'mattekey',
        frame_limit: 5,
      },
    );
    expect(result.frames).toBe(5);
  });

  it('bounds frames while reading when the container does not say how many', async () => {
    const silent: VideoCodec = {
      probe: async (file, signal, label) => ({
        ...(await rig.codec.probe(file, signal, label)),
        frameCount: undefined,
        durationSeconds: undefined,
      }),
      start: rig.codec.start,
      readImage: rig.codec.readImage,
    };
    const e = await rejection(convert('long.mp4', { maxFrames: 12 }, undefined, {}, silent));
    expect(e.code).toBe('INPUT_TOO_LARGE');
    expect(e.message).toBe('long.mp4: more than 12 frames, over the limit');
    expect(ffmpegChildPids()).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a background video over the size limit, naming the background', async () => {
    await makeClip(rig.file('wide-bg.mp4'), { width: 128, height: 48, seconds: 0.5 });
    const e = await rejection(
      convert(
        'clip.mp4',
        { maxWidth: 100 },
        { video_format: 'video_over_video' },
        { backgroundPath: rig.file('wide-bg.mp4') },
      ),
    );
    expect(e.code).toBe('INPUT_TOO_LARGE');
    expect(e.field).toBe('background');
    expect(e.message).toMatch(/^background wide-bg\.mp4: 128 pixels wide/);
  });
});

describe('output and scratch bounds', () => {
  it('stops the encoder at the output limit and fails clearly, leaving no partial file', async () => {
    const e = await rejection(convert('long.mp4', { maxOutputBytes: 40_000 }));
    expect(e.message).toMatch(
      /^long\.mp4: the output out-long\.mp4-\d+\.mov grew past the limit of 39 KiB/,
    );
    expect(e.code).toBe('INPUT_TOO_LARGE');
    expect(ffmpegChildPids()).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it('a clip whose output fits the limit is written whole', async () => {
    const result = await convert('clip.mp4', { maxOutputBytes: 50 * 1024 ** 2 });
    expect(result.frames).toBe(10);
  });
});

describe("the encoder's frame queue is sized in bytes", () => {
  const source = (width: number, height: number, pixelFormat: string) => ({
    path: 'in',
    width,
    height,
    frameRate: { num: 30, den: 1 },
    pixelFormat,
  });

  it('queues 64 ordinary frames, fewer 4K ones, and never fewer than the minimum', () => {
    const budget = 512 * 1024 ** 2;
    expect(fullFrameQueue({ source: source(1920, 1080, 'yuv420p'), frameQueueBytes: budget })).toBe(
      64,
    );
    // 3840x2160 4:4:4 is 24.9 MB a frame: 21 fit in 512 MiB.
    expect(fullFrameQueue({ source: source(3840, 2160, 'yuv444p'), frameQueueBytes: budget })).toBe(
      21,
    );
    expect(
      fullFrameQueue({ source: source(4096, 4096, 'yuva444p10le'), frameQueueBytes: budget }),
    ).toBe(MIN_QUEUE_FRAMES);
  });

  it('keeps what the pass holds under the queue, whatever its size', () => {
    for (let queue = MIN_QUEUE_FRAMES; queue <= 64; queue++) {
      const { readAhead, bufferedMasks, maxBatch } = passBuffers(queue);
      expect(readAhead + bufferedMasks + 2 * maxBatch).toBeLessThan(queue);
    }
    expect(passBuffers(64)).toEqual({ readAhead: 16, bufferedMasks: 16, maxBatch: 8 });
  });

  it('a pass with the smallest queue still runs to the end (no stall)', async () => {
    const result = await convert('long.mp4', { frameQueueBytes: 1 }, { video_format: 'mov' });
    expect(result.frames).toBe(40);
  });
});

describe('video_over_image backgrounds', () => {
  it('refuses a huge background image from its header, before decoding it', async () => {
    await writeFile(rig.file('huge.png'), pngHeader(30_000, 30_000));
    const before = passes;
    const e = await rejection(
      convert(
        'clip.mp4',
        {},
        { video_format: 'video_over_image' },
        { backgroundPath: rig.file('huge.png') },
      ),
    );
    expect(e.code).toBe('INPUT_TOO_LARGE');
    expect(e.message).toMatch(
      /^background huge\.png: 30000x30000 is 900\.0 megapixels, over the limit/,
    );
    expect(passes).toBe(before);
  });

  it('holds a background to the configured pixel limit', async () => {
    const e = await rejection(
      convert(
        'clip.mp4',
        { maxBackgroundPixels: 100 },
        { video_format: 'video_over_image' },
        { backgroundPath: rig.file('small.png') },
      ),
    );
    expect(e.code).toBe('INPUT_TOO_LARGE');
    expect(e.message).toMatch(/^background small\.png: 32x24 is 768 pixels, over the limit of 100/);
  });
});
