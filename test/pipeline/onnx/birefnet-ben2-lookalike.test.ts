import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOnnxSegmenter,
  type LoadedSession,
  loadSession,
} from '../../../adapters/onnx/onnx-segmenter.ts';
import type { RgbImage } from '../../../core/image/raster.ts';
import { MODEL_MANIFEST } from '../../../core/models/bundled-manifest.ts';
import { modelSpecOf, resolveModel } from '../../../core/models/resolve-model.ts';
import { tinyModelLogit } from '../../../core/models/tiny-model-rule.ts';
import { segmentImages } from '../../../core/pipeline/segment-images.ts';
import { BIREFNET_SIGNATURE, writeLookalikeModel } from '../../support/tiny-lookalike-model.ts';

/**
 * The BiRefNet and BEN2 entries' code path, run for real: a generated model with the published
 * graph's signature (1x3x1024x1024 in, one 1x1x1024x1024 map out; BiRefNet's map is logits,
 * BEN2's is a raw float16 map) goes through ONNX Runtime and the pipeline exactly as each
 * manifest entry says (its input size, mean/std, divide-by-max, output activation).
 */

const SIZE = 1024;
const BANDS: readonly (readonly [number, number, number])[] = [
  [255, 0, 0], // red: the rule's foreground
  [128, 128, 128], // grey: logit 0 after ImageNet normalisation is undone
  [0, 0, 255], // blue: background
];

/** Three vertical bands, each a third of the width. */
function bands(): RgbImage {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y += 1) {
    for (let x = 0; x < SIZE; x += 1) {
      const colour = BANDS[Math.min(2, Math.floor((x * 3) / SIZE))] ?? [0, 0, 0];
      data.set(colour, (y * SIZE + x) * 3);
    }
  }
  return { data, width: SIZE, height: SIZE };
}

/** The mask value at the centre of each band. */
function bandCentres(mask: { data: Uint8Array; width: number }): number[] {
  return [1, 3, 5].map(
    (sixth) => mask.data[512 * mask.width + Math.floor((sixth * SIZE) / 6)] ?? -1,
  );
}

/** What min-max over the three bands' values gives, floored to 8 bits as the pipeline does. */
function minMaxOf(values: readonly number[]): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => Math.floor(((v - min) / (max - min)) * 255));
}

const logits = BANDS.map(([r, g, b]) => tinyModelLogit(r / 255, g / 255, b / 255));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const entry = (id: string) => resolveModel(MODEL_MANIFEST, new Map(), id).entry;

const sessions: LoadedSession[] = [];
afterAll(async () => {
  for (const loaded of sessions) await loaded.session.release();
});

describe('BiRefNet entries on a BiRefNet-shaped tiny model', () => {
  let loaded: LoadedSession;
  beforeAll(async () => {
    loaded = await loadSession(await writeLookalikeModel(BIREFNET_SIGNATURE), {
      providers: ['cpu'],
      intraOpThreads: 1,
    });
    sessions.push(loaded);
  });

  it.each(['birefnet-general', 'birefnet-general-lite', 'birefnet-portrait'])(
    '%s: sigmoid over the logits, then min-max, as rembg does',
    async (id) => {
      const spec = modelSpecOf(entry(id));
      expect(spec.outputSigmoid).toBe(true);
      expect(loaded.input.shape).toEqual([1, 3, 1024, 1024]);
      const segmenter = createOnnxSegmenter(loaded, spec);
      expect(segmenter.maxBatch).toBe(1);
      const [mask] = await segmentImages(segmenter, [bands()]);
      if (mask === undefined) throw new Error('no mask');
      expect([mask.width, mask.height]).toEqual([SIZE, SIZE]);
      const expected = minMaxOf(logits.map(sigmoid)); // [255, 125, 0]
      const got = bandCentres(mask);
      for (const [i, value] of got.entries()) {
        expect(Math.abs(value - (expected[i] ?? -99))).toBeLessThanOrEqual(1);
      }
      // Without the sigmoid, min-max over the raw logits would put grey at 85, not 125.
      expect(minMaxOf(logits)[1]).toBe(85);
      expect(got[1]).toBeGreaterThan(110);
    },
  );
});

describe('the ben2-base entry on a BEN2-shaped tiny model (float16 output)', () => {
  it('reads the half-precision map and min-maxes it raw, fed 0..1 without mean/std', async () => {
    const spec = modelSpecOf(entry('ben2-base'));
    expect(spec.outputSigmoid).toBe(false);
    expect(spec.divideByMax).toBe(false);
    const loaded = await loadSession(
      await writeLookalikeModel(
        { name: 'tiny-ben2', size: 1024, output: 'logits', outputType: 'float16' },
        false,
      ),
      { providers: ['cpu'], intraOpThreads: 1 },
    );
    sessions.push(loaded);
    const [mask] = await segmentImages(createOnnxSegmenter(loaded, spec), [bands()]);
    if (mask === undefined) throw new Error('no mask');
    const expected = minMaxOf(logits); // [255, 85, 0]: no sigmoid for BEN2
    const got = bandCentres(mask);
    for (const [i, value] of got.entries()) {
      expect(Math.abs(value - (expected[i] ?? -99))).toBeLessThanOrEqual(1);
    }
  });
});
