import { describe, expect, it } from 'vitest';
import { outputToMask, resizeMask } from '../../../../core/pipeline/postprocess.ts';
import { type SegmentTimings, segmentImages } from '../../../../core/pipeline/segment-images.ts';
import { createFakeSegmenter } from '../../../support/fake-segmenter.ts';

/** Left half red, right half grey. */
function halfRed(width: number, height: number) {
  const data = new Uint8Array(width * height * 3).fill(90);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width / 2; x++) data.set([255, 0, 0], (y * width + x) * 3);
  }
  return { data, width, height };
}

describe('segmentImages', () => {
  it('returns one full-resolution mask per image, in order', async () => {
    const segmenter = createFakeSegmenter({ inputSize: 16 });
    const [a, b] = await segmentImages(segmenter, [halfRed(40, 10), halfRed(8, 24)]);
    expect([a?.width, a?.height, b?.width, b?.height]).toEqual([40, 10, 8, 24]);
    // Lanczos-3 upscaling of a hard edge rings by a few levels; the halves stay clear.
    expect(a?.data[0]).toBe(255);
    expect(a?.data[39]).toBeLessThan(8);
    expect(b?.data[0]).toBe(255);
    expect(b?.data[7]).toBeLessThan(8);
  });

  it('runs batches of up to maxBatch images', async () => {
    const segmenter = createFakeSegmenter({ inputSize: 8, maxBatch: 2 });
    const images = Array.from({ length: 5 }, () => halfRed(8, 8));
    const masks = await segmentImages(segmenter, images);
    expect(masks).toHaveLength(5);
    expect(segmenter.calls).toEqual([2, 2, 1]);
  });

  it('adds each stage time to the timings it is given', async () => {
    const timings: SegmentTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
    await segmentImages(createFakeSegmenter({ inputSize: 8 }), [halfRed(8, 8)], { timings });
    expect(timings.preprocessMs).toBeGreaterThan(0);
    expect(timings.postprocessMs).toBeGreaterThan(0);
    expect(timings.inferenceMs).toBeGreaterThanOrEqual(0);
  });

  it('feeds the model as its spec says: kernel and scale (one step row 0,0,0,0,200,200,200,200)', async () => {
    const data = new Uint8Array(8 * 3);
    data.fill(200, 12);
    const firstRow = async (spec: {
      resizeKernel: 'bilinear' | 'lanczos3';
      divideByMax: boolean;
    }) => {
      let seen = new Float32Array(0);
      const base = createFakeSegmenter({ inputSize: 4 });
      const segmenter = {
        ...base,
        spec: { ...base.spec, mean: [0, 0, 0] as const, std: [1, 1, 1] as const, ...spec },
        infer: async (input: Float32Array, batch: number) => {
          seen = input.slice();
          return new Float32Array(batch * 16);
        },
      };
      await segmentImages(segmenter, [{ data, width: 8, height: 1 }]);
      return [...seen.slice(0, 4)];
    };
    const imgly = await firstRow({ resizeKernel: 'bilinear', divideByMax: false });
    for (const [i, v] of [0, 13 / 255, 100 / 255, 188 / 255].entries()) {
      expect(imgly[i]).toBeCloseTo(v, 6);
    }
    // rembg: Lanczos-3 rings up to 207, which then is the maximum and maps to 1.
    const rembg = await firstRow({ resizeKernel: 'lanczos3', divideByMax: true });
    for (const [i, v] of [0, 0, 100 / 207, 1].entries()) expect(rembg[i]).toBeCloseTo(v, 6);
  });

  it('reads the output back as its spec says: min-max + Lanczos-3, or clamp + corner bilinear', async () => {
    const map = Float32Array.from([0.2, 0.6, 0.2, 0.6]);
    const run = async (spec: {
      maskMinMax?: boolean;
      maskKernel?: 'lanczos3' | 'bilinear-corner';
    }) => {
      const base = createFakeSegmenter({ inputSize: 2 });
      const segmenter = {
        ...base,
        spec: { ...base.spec, ...spec },
        infer: async () => map.slice(),
      };
      const [mask] = await segmentImages(segmenter, [halfRed(4, 1)]);
      return [...(mask?.data ?? [])];
    };
    expect(await run({ maskMinMax: false, maskKernel: 'bilinear-corner' })).toEqual([
      51, 102, 153, 153,
    ]);
    const rembg = await resizeMask(outputToMask(map, 0, 2), 4, 1);
    expect(await run({})).toEqual([...rembg.data]);
    expect(await run({ maskMinMax: true, maskKernel: 'lanczos3' })).toEqual([...rembg.data]);
  });

  it('refuses a model output that is too short', async () => {
    const segmenter = {
      ...createFakeSegmenter({ inputSize: 8 }),
      infer: async () => new Float32Array(3),
    };
    await expect(segmentImages(segmenter, [halfRed(8, 8)])).rejects.toThrow(/returned 3 values/);
  });
});
