import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFfmpegCodec } from '../../../adapters/ffmpeg/ffmpeg-codec.ts';
import { resizeForModel } from '../../../core/pipeline/preprocess.ts';
import { makeClip } from '../../support/video-fixtures.ts';

const W = 96;
const H = 64;
const S = 32;

describe('decoding with the model-size frame alongside (real ffmpeg)', () => {
  let dir: string;
  let clip: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutout-model-frame-'));
    clip = join(dir, 'clip.mp4');
    await makeClip(clip, { width: W, height: H, fps: 10, seconds: 1 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const decodeAll = async (modelFrame?: { size: number; kernel: 'lanczos3' | 'bilinear' }) => {
    const out: Uint8Array[] = [];
    for await (const f of createFfmpegCodec().decode({
      path: clip,
      width: W,
      height: H,
      frameRate: { num: 10, den: 1 },
      modelFrame,
    })) {
      out.push(f);
    }
    return out;
  };

  it('yields the same frames, each followed by its stretched model-size copy', async () => {
    const plain = await decodeAll();
    for (const kernel of ['lanczos3', 'bilinear'] as const) {
      const both = await decodeAll({ size: S, kernel });
      expect(both.length).toBe(plain.length);
      expect(both.length).toBeGreaterThan(5);
      both.forEach((f, i) => {
        expect(f.length).toBe(W * H * 3 + S * S * 3);
        expect(
          Buffer.compare(Buffer.from(f.subarray(0, W * H * 3)), Buffer.from(plain[i] ?? [])),
        ).toBe(0);
      });
      // The decoder's resize agrees with the in-process one it replaces, up to rounding.
      const frame = both[3] as Uint8Array;
      const ours = await resizeForModel(
        { data: frame.subarray(0, W * H * 3), width: W, height: H },
        S,
        kernel,
      );
      const theirs = frame.subarray(W * H * 3);
      let diff = 0;
      for (let i = 0; i < theirs.length; i++)
        diff += Math.abs((theirs[i] ?? 0) - (ours.data[i] ?? 0));
      expect(diff / theirs.length).toBeLessThan(4);
    }
  });
});
