import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../../core/image/raster.ts';
import type { SegmentTimings } from '../../../../core/pipeline/segment-images.ts';
import { segmentVideoFrames } from '../../../../core/video/segment-video-frames.ts';
import { createFakeSegmenter } from '../../../support/fake-segmenter.ts';

/** Left half red, right half grey, at the model's size. */
function halfRed(size: number): RgbImage {
  const data = new Uint8Array(size * size * 3).fill(90);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size / 2; x++) data.set([255, 0, 0], (y * size + x) * 3);
  }
  return { data, width: size, height: size };
}

describe('segmentVideoFrames', () => {
  it('keeps model-size masks, in batches of maxBatch, timing each stage', async () => {
    const segmenter = createFakeSegmenter({ inputSize: 16, maxBatch: 2 });
    const frames = [halfRed(16), halfRed(16), halfRed(16)];
    const timings: SegmentTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
    const masks = await segmentVideoFrames(segmenter, frames, { timings });
    expect(segmenter.calls).toEqual([2, 1]);
    expect(masks.map((m) => `${m.width}x${m.height}:${m.data.length}`)).toEqual(
      Array(3).fill('16x16:256'),
    );
    for (const m of masks) {
      expect(m.data[0]).toBe(255);
      expect(m.data[15]).toBe(0);
    }
    expect(timings.preprocessMs + timings.inferenceMs + timings.postprocessMs).toBeGreaterThan(0);
  });

  it('reuses a spare input tensor across calls, sized for a full batch', async () => {
    const segmenter = createFakeSegmenter({ inputSize: 16, maxBatch: 2 });
    const spareTensors: Float32Array[] = [];
    await segmentVideoFrames(segmenter, [halfRed(16)], { spareTensors });
    expect(spareTensors).toHaveLength(1);
    const kept = spareTensors[0];
    expect(kept?.length).toBe(2 * 3 * 16 * 16);
    const masks = await segmentVideoFrames(segmenter, [halfRed(16), halfRed(16)], { spareTensors });
    expect(spareTensors).toEqual([kept]);
    expect(spareTensors[0]).toBe(kept);
    expect(masks.every((m) => m.data[0] === 255 && m.data[15] === 0)).toBe(true);
  });
});
