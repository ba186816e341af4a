import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../../core/image/raster.ts';
import type { SegmentTimings } from '../../../../core/pipeline/segment-images.ts';
import { segmentVideoFrames } from '../../../../core/video/segment-video-frames.ts';
import { createFakeSegmenter } from '../../../support/fake-segmenter.ts';

/** Left half red, right half grey. */
function halfRed(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(90);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width / 2; x++) data.set([255, 0, 0], (y * width + x) * 3);
  }
  return { data, width, height };
}

const grey = (width: number, height: number): RgbImage => ({
  data: new Uint8Array(width * height * 3).fill(90),
  width,
  height,
});

describe('segmentVideoFrames', () => {
  it('resizes frames itself and returns full-size masks, in batches of maxBatch', async () => {
    const segmenter = createFakeSegmenter({ inputSize: 16, maxBatch: 2 });
    const frames = [halfRed(40, 10), halfRed(40, 10), halfRed(40, 10)];
    const timings: SegmentTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
    const masks = await segmentVideoFrames(segmenter, frames, undefined, timings);
    expect(segmenter.calls).toEqual([2, 1]);
    expect(masks.map((m) => `${m.width}x${m.height}:${m.data.length}`)).toEqual(
      Array(3).fill('40x10:400'),
    );
    for (const m of masks) {
      expect(m.data[0]).toBe(255);
      expect(m.data[39]).toBe(0);
    }
    expect(timings.inferenceMs).toBeGreaterThanOrEqual(0);
    expect(timings.preprocessMs + timings.postprocessMs).toBeGreaterThan(0);
  });

  it('uses the decoded model-size frames instead of resizing the full frames', async () => {
    const segmenter = createFakeSegmenter({ inputSize: 16, maxBatch: 2 });
    // The full frames have no red at all; only the model frames do.
    const frames = [grey(40, 10), grey(40, 10), grey(40, 10)];
    const model = [halfRed(16, 16), halfRed(16, 16), halfRed(16, 16)];
    const masks = await segmentVideoFrames(segmenter, frames, model);
    expect(masks).toHaveLength(3);
    for (const m of masks) {
      expect([m.width, m.height]).toEqual([40, 10]);
      expect(m.data[0]).toBe(255);
      expect(m.data[39]).toBe(0);
    }
  });
});
