import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import type { Mask, RgbImage } from '../../../../core/image/raster.ts';
import { parseVideoOptions } from '../../../../core/params/convert-params.ts';
import { refineModelMask } from '../../../../core/pipeline/refine/refine-model-mask.ts';
import type { Segmenter } from '../../../../core/ports.ts';
import { removeVideoBackground } from '../../../../core/video/remove-video-background.ts';
import {
  createTemporalSmoother,
  DEFAULT_SMOOTHING,
} from '../../../../core/video/temporal-smoother.ts';
import type {
  VideoCodec,
  VideoInfo,
  VideoPassRequest,
} from '../../../../core/video/video-codec.ts';

const W = 6;
const H = 4;
const S = 8;

const segmenter: Segmenter = {
  spec: { id: 'fake-model', inputSize: S, mean: [0, 0, 0], std: [1, 1, 1] },
  maxBatch: 4,
  infer: async () => new Float32Array(),
};

const fullMasks = async (frames: readonly RgbImage[]): Promise<Mask[]> =>
  frames.map(() => ({ data: new Uint8Array(S * S).fill(255), width: S, height: S }));

interface FakeCodec extends VideoCodec {
  passes: VideoPassRequest[];
  written: Uint8Array[];
  finished: boolean;
  aborted: boolean;
}

/** Hands out `frameCount` model frames (capped by frame_limit) as fast as they are read. */
function fakeCodec(info: Partial<VideoInfo> = {}, frameCount = 5): FakeCodec {
  const codec: FakeCodec = {
    passes: [],
    written: [],
    finished: false,
    aborted: false,
    probe: async () => ({
      width: W,
      height: H,
      frameRate: { num: 10, den: 1 },
      frameCount,
      durationSeconds: frameCount / 10,
      hasAudio: true,
      ...info,
    }),
    readImage: async () => {
      throw new Error('no background image in this fake');
    },
    start(request) {
      codec.passes.push(request);
      let left = Math.min(frameCount, request.source.frameLimit ?? frameCount);
      return {
        read: async (max) => {
          if (left === 0) return null;
          const n = Math.min(max, left);
          left -= n;
          return Array.from({ length: n }, () => new Uint8Array(S * S * 3).fill(200));
        },
        ready: () => left,
        write: async (mask) => void codec.written.push(mask),
        finish: async () => {
          codec.finished = true;
        },
        abort: async () => {
          codec.aborted = true;
        },
      };
    },
  };
  return codec;
}

const run = (fields: Record<string, unknown>, codec: VideoCodec, extra: object = {}) =>
  removeVideoBackground(
    {
      inputPath: '/in/clip.mp4',
      outputPath: '/out/clip.mov',
      options: parseVideoOptions(fields),
      ...extra,
    },
    { segmenter, codec, segment: fullMasks },
  );

describe('removeVideoBackground', () => {
  it('answers every model frame with a model-size mask for mov, keeping the input audio', async () => {
    const codec = fakeCodec();
    const progress: [number, number | undefined][] = [];
    const result = await run({ video_format: 'mov' }, codec, {
      onProgress: (d: number, t: number | undefined) => progress.push([d, t]),
    });
    expect(result).toMatchObject({ frames: 5, extension: 'mov', modelId: 'fake-model' });
    expect(result.contentType).toBe('video/quicktime');
    expect(codec.finished).toBe(true);
    expect(codec.written).toHaveLength(5);
    expect(codec.written[0]?.length).toBe(S * S);
    expect(codec.written[0]?.[0]).toBe(255);
    expect(codec.passes[0]).toMatchObject({
      modelSize: S,
      layout: 'rgba',
      backdrop: { kind: 'none' },
      source: { path: '/in/clip.mp4', width: W, height: H },
      audio: { path: '/in/clip.mp4', loop: false },
    });
    expect(codec.passes[0]?.spec.videoCodec).toBe('prores_ks');
    expect(progress.at(0)).toEqual([0, 5]);
    expect(progress.at(-1)).toEqual([5, 5]);
  });

  it('resamples to the requested framerate and counts the expected total from it', async () => {
    const codec = fakeCodec({}, 20);
    const totals: (number | undefined)[] = [];
    await run({ video_format: 'mp4_with_color', framerate: 5, frame_limit: 10 }, codec, {
      onProgress: (_d: number, t: number | undefined) => totals.push(t),
    });
    expect(codec.passes[0]?.source).toMatchObject({
      frameRate: { num: 5, den: 1 },
      frameLimit: 10,
    });
    expect(codec.passes[0]?.maxDurationSeconds).toBeCloseTo(1);
    expect(totals[0]).toBe(5);
  });

  it('keeps the input rate for GIF when it is below the 10 fps default', async () => {
    const codec = fakeCodec({ frameRate: { num: 8, den: 1 } });
    const result = await run({ video_format: 'gif' }, codec);
    expect(result.frameRate).toEqual({ num: 8, den: 1 });
    expect(result.warnings.join()).toMatch(/audio/);
  });

  it('takes video_over_video audio and frames from the background video', async () => {
    const codec = fakeCodec();
    await run({ video_format: 'video_over_video' }, codec, { backgroundPath: '/in/bg.mp4' });
    expect(codec.passes[0]).toMatchObject({
      layout: 'rgb24',
      backdrop: { kind: 'video', path: '/in/bg.mp4' },
      audio: { path: '/in/bg.mp4', loop: true },
    });
  });

  it('probes the input and the background video once each, side by side', async () => {
    const codec = fakeCodec();
    const probed: string[] = [];
    let inFlight = 0;
    let overlapped = false;
    const probe = codec.probe;
    codec.probe = async (file, signal) => {
      probed.push(file);
      inFlight++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      overlapped ||= inFlight === 2;
      inFlight--;
      return probe(file, signal);
    };
    await run({ video_format: 'video_over_video' }, codec, { backgroundPath: '/in/bg.mp4' });
    expect(probed.sort()).toEqual(['/in/bg.mp4', '/in/clip.mp4']);
    expect(overlapped).toBe(true);
  });

  it('reports the input probe failure before the background one, and starts no pass', async () => {
    const codec = fakeCodec();
    codec.probe = async (file) => {
      // The background fails first, the input later: the input's error still wins.
      await new Promise((resolve) => setTimeout(resolve, file === '/in/clip.mp4' ? 10 : 0));
      throw new CutoutError('UNSUPPORTED_MEDIA', `${file}: not a video`, { field: 'file' });
    };
    const error = await run({ video_format: 'video_over_video' }, codec, {
      backgroundPath: '/in/bg.mp4',
    }).catch((thrown: unknown) => thrown);
    // The path is scrubbed to the file's name: messages reach clients.
    expect((error as CutoutError).message).toBe('clip.mp4: not a video');
    expect(codec.passes).toHaveLength(0);
  });

  it('names a background video the probe refuses as the background, from the error fields', async () => {
    const codec = fakeCodec();
    const probe = codec.probe;
    codec.probe = async (file, signal, label) => {
      if (file !== '/in/bg.mp4') return probe(file, signal, label);
      throw new CutoutError('UNSUPPORTED_MEDIA', 'has no video stream', {
        field: 'file',
        file: label ?? 'bg.mp4',
      });
    };
    const error = await run({ video_format: 'video_over_video' }, codec, {
      backgroundPath: '/in/bg.mp4',
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
      field: 'background',
      file: 'background bg.mp4',
      problem: 'has no video stream',
      message: 'background bg.mp4: has no video stream',
    });
  });

  it('reads a background image through the codec port, never the disk itself', async () => {
    const codec = fakeCodec();
    const read: string[] = [];
    codec.readImage = async (file) => {
      read.push(file);
      return sharp({
        create: { width: 3, height: 2, channels: 3, background: { r: 0, g: 0, b: 255 } },
      })
        .png()
        .toBuffer();
    };
    await run({ video_format: 'video_over_image' }, codec, { backgroundPath: '/in/sky.png' });
    expect(read).toEqual(['/in/sky.png']);
    const backdrop = codec.passes[0]?.backdrop;
    expect(backdrop?.kind).toBe('image');
    const rgb = backdrop?.kind === 'image' ? backdrop.rgb : new Uint8Array();
    expect(rgb).toHaveLength(W * H * 3);
    expect([rgb[0], rgb[1], rgb[2]]).toEqual([0, 0, 255]);
  });

  it('names a background image that cannot be read', async () => {
    const codec = fakeCodec();
    codec.readImage = async () => {
      throw new Error('ENOENT: no such file or directory, open /in/sky.png');
    };
    const error = await run({ video_format: 'video_over_image' }, codec, {
      backgroundPath: '/in/sky.png',
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 'INPUT_NOT_FOUND',
      field: 'background',
      file: 'background sky.png',
      message: 'background sky.png: cannot be read',
    });
    expect(codec.passes).toHaveLength(0);
  });

  it('turns a bug inside the pipeline into a retryable INTERNAL error, not a verdict on the file', async () => {
    const codec = fakeCodec();
    const bug = new TypeError("Cannot read properties of undefined (reading 'length')");
    const error = await removeVideoBackground(
      { inputPath: '/in/a.mp4', outputPath: '/out/a.mov', options: parseVideoOptions({}) },
      {
        segmenter,
        codec,
        segment: async () => {
          throw bug;
        },
      },
    ).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'INTERNAL', retryable: true, cause: bug });
    expect(codec.aborted).toBe(true);
  });

  it('lays mp4_with_color over video_bg_color', async () => {
    const codec = fakeCodec();
    await removeVideoBackground(
      {
        inputPath: '/in/clip.mp4',
        outputPath: '/out/x.mp4',
        options: parseVideoOptions({ video_format: 'mp4_with_color', video_bg_color: '#0000ff' }),
      },
      { segmenter, codec, segment: fullMasks },
    );
    expect(codec.passes[0]).toMatchObject({
      layout: 'rgb24',
      backdrop: { kind: 'color', color: { r: 0, g: 0, b: 255 } },
    });
  });

  it('ignores alpha_matting for video with a warning (the seed video example sends it)', async () => {
    const result = await run({ video_format: 'mov', alpha_matting: 'true' }, fakeCodec());
    expect(result.warnings.join()).toMatch(/alpha_matting is not applied to video/);
  });

  it.each(['video_over_image', 'gif_with_bg', 'video_over_video'])(
    'refuses %s without a background',
    async (format) => {
      await expect(run({ video_format: format }, fakeCodec())).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
        field: 'background',
      });
    },
  );

  it('refines each smoothed mask against its model frame when refine is asked', async () => {
    // Left half unsure background (40), right half unsure subject (220): refine moves both.
    const split = async (frames: readonly RgbImage[]): Promise<Mask[]> =>
      frames.map(() => ({
        data: Uint8Array.from({ length: S * S }, (_, i) => (i % S < S / 2 ? 40 : 220)),
        width: S,
        height: S,
      }));
    const convert = async (fields: Record<string, unknown>, extra: object = {}) => {
      const codec = fakeCodec({}, 3);
      await removeVideoBackground(
        {
          inputPath: '/in/clip.mp4',
          outputPath: '/out/clip.mov',
          options: parseVideoOptions(fields),
          ...extra,
        },
        { segmenter, codec, segment: split },
      );
      return codec.written.map((m) => Buffer.from(m));
    };
    // The fake codec's model frames are all 200 grey.
    const frame: RgbImage = { data: new Uint8Array(S * S * 3).fill(200), width: S, height: S };
    const [inferred] = await split([frame]);
    const refined = Buffer.from(refineModelMask(frame, inferred as Mask).data);
    expect(refined.equals(Buffer.from((inferred as Mask).data))).toBe(false);

    const unsmoothed = { smoothing: false };
    expect(await convert({ video_format: 'mov' }, unsmoothed)).toEqual(
      Array(3).fill(Buffer.from((inferred as Mask).data)),
    );
    expect(await convert({ video_format: 'mov', refine: 'false' }, unsmoothed)).toEqual(
      Array(3).fill(Buffer.from((inferred as Mask).data)),
    );
    expect(await convert({ video_format: 'mov', refine: 'true' }, unsmoothed)).toEqual(
      Array(3).fill(refined),
    );
    // With smoothing (the default), the smoother's masks are refined.
    const smoother = createTemporalSmoother(S, S, DEFAULT_SMOOTHING);
    const expected = [0, 1, 2].map(() => {
      const smoothed = smoother.next(frame.data, (inferred as Mask).data);
      return Buffer.from(refineModelMask(frame, { data: smoothed, width: S, height: S }).data);
    });
    expect(await convert({ video_format: 'mov', refine: true })).toEqual(expected);
  });

  it('aborts the encoder when inference fails', async () => {
    const codec = fakeCodec();
    const failing = removeVideoBackground(
      { inputPath: '/in/a.mp4', outputPath: '/out/a.mov', options: parseVideoOptions({}) },
      {
        segmenter,
        codec,
        segment: async () => {
          throw new CutoutError('MODEL_UNAVAILABLE', 'session lost');
        },
      },
    );
    await expect(failing).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    expect(codec.aborted).toBe(true);
    expect(codec.finished).toBe(false);
  });

  it("reuses a small model's input tensors from one video to the next", async () => {
    const inputs: Float32Array[][] = [[], []];
    let video = 0;
    // One segmenter object for both videos, as a worker keeps it.
    const recording: Segmenter = {
      ...segmenter,
      infer: async (input, batch) => {
        inputs[video]?.push(input);
        return new Float32Array(batch * S * S).fill(1);
      },
    };
    for (video = 0; video < 2; video++) {
      await removeVideoBackground(
        { inputPath: '/in/a.mp4', outputPath: '/out/a.mov', options: parseVideoOptions({}) },
        { segmenter: recording, codec: fakeCodec({}, 9) },
      );
    }
    const [first = [], second = []] = inputs;
    expect(first.length).toBeGreaterThan(1);
    expect(second.length).toBeGreaterThan(1);
    const buffersOfFirst = new Set(first.map((input) => input.buffer));
    expect(second.every((input) => buffersOfFirst.has(input.buffer))).toBe(true);
  });

  it('fails with DECODE_FAILED when no frame comes out', async () => {
    const codec = fakeCodec({}, 0);
    await expect(run({}, codec)).rejects.toMatchObject({ code: 'DECODE_FAILED' });
    expect(codec.aborted).toBe(true);
  });
});
