import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFfmpegCodec } from '../../../adapters/ffmpeg/ffmpeg-codec.ts';
import { CutoutError } from '../../../core/errors.ts';
import { parseVideoOptions } from '../../../core/params/convert-params.ts';
import { resizeForModel } from '../../../core/pipeline/preprocess.ts';
import type { ResizeKernel } from '../../../core/ports.ts';
import { videoOutputSpec } from '../../../core/video/output-formats.ts';
import type { VideoPass, VideoPassRequest } from '../../../core/video/video-codec.ts';
import { makeClip } from '../../support/video-fixtures.ts';
import { decodeFrames, probeOutput } from '../../support/video-probe.ts';

const W = 96;
const H = 64;
const S = 32;
const codec = createFfmpegCodec();

let dir: string;
let clip: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutout-pass-'));
  clip = join(dir, 'clip.mp4');
  await makeClip(clip, { width: W, height: H, fps: 10, seconds: 1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(
  fields: Record<string, string>,
  output: string,
  extra: Partial<VideoPassRequest> = {},
): VideoPass {
  const spec = videoOutputSpec(parseVideoOptions(fields));
  return codec.start({
    source: {
      path: clip,
      width: W,
      height: H,
      frameRate: { num: 10, den: 1 },
      pixelFormat: 'yuv420p',
    },
    modelSize: S,
    kernel: 'lanczos3',
    outputPath: join(dir, output),
    layout: spec.layout,
    backdrop: { kind: 'none' },
    spec: spec.encoder,
    ...extra,
  });
}

/** Reads every frame in batches, answering each with `mask(frame)`, as the pipeline does. */
async function drive(
  pass: VideoPass,
  mask: (frame: Uint8Array) => Uint8Array,
): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (;;) {
    const batch = await pass.read(4);
    if (batch === null) break;
    for (const frame of batch) {
      frames.push(frame);
      await pass.write(mask(frame));
    }
  }
  await pass.finish();
  return frames;
}

/** Opaque on the left half of the model frame, clear on the right. */
const leftHalf = () => {
  const m = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) m.fill(255, y * S, y * S + S / 2);
  return m;
};

describe('a video pass (real ffmpeg)', () => {
  it.each(['lanczos3', 'bilinear'] as const)(
    'hands out every frame at the model size, close to an in-process %s resize',
    async (kernel: ResizeKernel) => {
      const frames = await drive(
        start({ video_format: 'mattekey' }, `m-${kernel}.mp4`, { kernel }),
        leftHalf,
      );
      const full = await decodeFrames(clip, 'rgb24');
      expect(frames.length).toBe(full.length / (W * H * 3));
      expect(frames.length).toBe(10);
      const index = 3;
      const ours = await resizeForModel(
        { data: full.subarray(index * W * H * 3, (index + 1) * W * H * 3), width: W, height: H },
        S,
        kernel,
      );
      const theirs = frames[index] as Uint8Array;
      expect(theirs.length).toBe(S * S * 3);
      let diff = 0;
      for (let i = 0; i < theirs.length; i++)
        diff += Math.abs((theirs[i] ?? 0) - (ours.data[i] ?? 0));
      expect(diff / theirs.length).toBeLessThan(4);
    },
  );

  it('scales each mask to its frame and keeps the frame itself (lossless qtrle)', async () => {
    await drive(start({ video_format: 'mov', mov_codec: 'qtrle' }, 'out.mov'), leftHalf);
    const out = join(dir, 'out.mov');
    expect((await probeOutput(out)).video).toMatchObject({ width: W, height: H, frames: 10 });
    const rgba = await decodeFrames(out, 'rgba');
    const source = await decodeFrames(clip, 'rgb24');
    const px = (frame: number, x: number, y: number) => frame * W * H + y * W + x;
    for (const frame of [0, 9]) {
      expect(rgba[px(frame, 5, 30) * 4 + 3]).toBe(255);
      expect(rgba[px(frame, W - 5, 30) * 4 + 3]).toBe(0);
      // The colour is the source's own (the full frames crossed between the processes untouched).
      for (let c = 0; c < 3; c++) {
        const ours = rgba[px(frame, 10, 10) * 4 + c] ?? 0;
        const theirs = source[px(frame, 10, 10) * 3 + c] ?? 0;
        expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(2);
      }
    }
  });

  it('blames the encoder when it cannot start, and leaves no output behind', async () => {
    const spec = videoOutputSpec(parseVideoOptions({ video_format: 'mov' }));
    const pass = start({ video_format: 'mov' }, 'bad.mov', {
      spec: { ...spec.encoder, videoCodec: 'no_such_encoder' },
    });
    const error = await drive(pass, leftHalf).then(
      () => undefined,
      (e: unknown) => e,
    );
    await pass.abort();
    expect(error).toBeInstanceOf(CutoutError);
    expect(error).toMatchObject({ code: 'PROCESSING_FAILED' });
    expect((error as Error).message).toMatch(/no_such_encoder/);
    expect((await readdir(dir)).filter((f) => f.includes('bad.mov'))).toEqual([]);
  });
});
