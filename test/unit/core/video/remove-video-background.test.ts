import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import type { Mask, RgbImage } from '../../../../core/image/raster.ts';
import { parseVideoOptions } from '../../../../core/params/convert-params.ts';
import type { Segmenter } from '../../../../core/ports.ts';
import { removeVideoBackground } from '../../../../core/video/remove-video-background.ts';
import type {
  DecodeRequest,
  EncodeRequest,
  VideoCodec,
  VideoInfo,
} from '../../../../core/video/video-codec.ts';

const W = 6;
const H = 4;

const segmenter: Segmenter = {
  spec: { id: 'fake-model', inputSize: 8, mean: [0, 0, 0], std: [1, 1, 1] },
  maxBatch: 4,
  infer: async () => new Float32Array(),
};

const fullMasks = async (frames: readonly RgbImage[]): Promise<Mask[]> =>
  frames.map(() => ({ data: new Uint8Array(W * H).fill(255), width: W, height: H }));

interface FakeCodec extends VideoCodec {
  decodes: DecodeRequest[];
  encodes: EncodeRequest[];
  written: Uint8Array[];
  finished: boolean;
  aborted: boolean;
}

function fakeCodec(info: Partial<VideoInfo> = {}, frameCount = 5): FakeCodec {
  const codec: FakeCodec = {
    decodes: [],
    encodes: [],
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
    decode(request) {
      codec.decodes.push(request);
      const n = request.loop ? 1000 : Math.min(frameCount, request.frameLimit ?? frameCount);
      return {
        async *[Symbol.asyncIterator]() {
          for (let i = 0; i < n; i++) yield new Uint8Array(W * H * 3).fill(request.loop ? 7 : 200);
        },
        close: async () => undefined,
      };
    },
    encode(request) {
      codec.encodes.push(request);
      return {
        write: async (f) => void codec.written.push(f),
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
  it('writes every frame as RGBA with the mask as alpha for mov, keeping the input audio', async () => {
    const codec = fakeCodec();
    const progress: [number, number | undefined][] = [];
    const result = await run({ video_format: 'mov' }, codec, {
      onProgress: (d: number, t: number | undefined) => progress.push([d, t]),
    });
    expect(result).toMatchObject({ frames: 5, extension: 'mov', modelId: 'fake-model' });
    expect(result.contentType).toBe('video/quicktime');
    expect(codec.finished).toBe(true);
    expect(codec.written).toHaveLength(5);
    expect(codec.written[0]?.length).toBe(W * H * 4);
    expect(codec.written[0]?.[3]).toBe(255);
    expect(codec.encodes[0]?.spec.videoCodec).toBe('prores_ks');
    expect(codec.encodes[0]?.audio).toEqual({ path: '/in/clip.mp4', loop: false });
    expect(progress.at(0)).toEqual([0, 5]);
    expect(progress.at(-1)).toEqual([5, 5]);
  });

  it('resamples to the requested framerate and counts the expected total from it', async () => {
    const codec = fakeCodec({}, 20);
    const totals: (number | undefined)[] = [];
    await run({ video_format: 'mp4_with_color', framerate: 5, frame_limit: 10 }, codec, {
      onProgress: (_d: number, t: number | undefined) => totals.push(t),
    });
    expect(codec.decodes[0]).toMatchObject({ frameRate: { num: 5, den: 1 }, frameLimit: 10 });
    expect(codec.encodes[0]?.frameRate).toEqual({ num: 5, den: 1 });
    expect(codec.encodes[0]?.maxDurationSeconds).toBeCloseTo(1);
    expect(totals[0]).toBe(5);
  });

  it('keeps the input rate for GIF when it is below the 10 fps default', async () => {
    const codec = fakeCodec({ frameRate: { num: 8, den: 1 } });
    const result = await run({ video_format: 'gif' }, codec);
    expect(result.frameRate).toEqual({ num: 8, den: 1 });
    expect(result.warnings.join()).toMatch(/audio/);
  });

  it('takes video_over_video audio and looped frames from the background video', async () => {
    const codec = fakeCodec();
    await run({ video_format: 'video_over_video' }, codec, { backgroundPath: '/in/bg.mp4' });
    expect(codec.decodes.find((d) => d.loop)?.path).toBe('/in/bg.mp4');
    expect(codec.encodes[0]?.audio).toEqual({ path: '/in/bg.mp4', loop: true });
    // Full masks: the subject (200) covers the background (7) everywhere.
    expect(codec.written[0]?.[0]).toBe(200);
  });

  it('composes mp4_with_color over video_bg_color', async () => {
    const codec = fakeCodec();
    await removeVideoBackground(
      {
        inputPath: '/in/clip.mp4',
        outputPath: '/out/x.mp4',
        options: parseVideoOptions({ video_format: 'mp4_with_color', video_bg_color: '#0000ff' }),
      },
      {
        segmenter,
        codec,
        segment: async (frames) =>
          frames.map(() => ({ data: new Uint8Array(W * H), width: W, height: H })),
      },
    );
    expect([...(codec.written[0]?.subarray(0, 3) ?? [])]).toEqual([0, 0, 255]);
  });

  it('refuses alpha_matting for video, naming the field', async () => {
    const error = await run({ video_format: 'mov', alpha_matting: 'true' }, fakeCodec()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CutoutError);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', field: 'alpha_matting' });
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

  it('fails with DECODE_FAILED when no frame comes out', async () => {
    const codec = fakeCodec({}, 0);
    await expect(run({}, codec)).rejects.toMatchObject({ code: 'DECODE_FAILED' });
    expect(codec.aborted).toBe(true);
  });
});
