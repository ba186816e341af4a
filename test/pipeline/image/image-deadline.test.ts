import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSegmenterProvider,
  type OnnxSegmenterProvider,
} from '../../../adapters/onnx/segmenter-provider.ts';
import { createImageProcessor } from '../../../containers/worker/processors.ts';
import { CutoutError } from '../../../core/errors.ts';
import { parseImageOptions } from '../../../core/params/convert-params.ts';
import { removeBackground } from '../../../core/pipeline/remove-background.ts';
import type { Segmenter } from '../../../core/ports.ts';
import { rejection } from '../../support/rejection.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';

/** The file's deadline reaches the image pipeline's inference loop (real ONNX, the tiny model). */

let provider: OnnxSegmenterProvider;
let tiny: Segmenter;
let image: Buffer;

beforeAll(async () => {
  await tinyModelPath();
  provider = createSegmenterProvider(tinyModelSettings());
  tiny = await provider.get('u2net');
  image = await sharp({
    create: { width: 48, height: 32, channels: 3, background: { r: 200, g: 20, b: 20 } },
  })
    .png()
    .toBuffer();
});

afterAll(async () => {
  await provider?.close();
});

function context(signal: AbortSignal) {
  return { fileName: 'photo.png', signal, onProgress: () => undefined };
}

describe('deadline in the image pipeline', () => {
  it('an abort during inference stops the pipeline before its next step, with DEADLINE_EXCEEDED', async () => {
    const controller = new AbortController();
    let inference: Promise<Float32Array> | undefined;
    const segmenter: Segmenter = {
      spec: tiny.spec,
      maxBatch: tiny.maxBatch,
      infer(tensor, batch) {
        // The deadline passes while the real model runs.
        inference = tiny.infer(tensor, batch);
        controller.abort();
        return inference;
      },
    };
    const processor = createImageProcessor({ get: async () => segmenter });
    const e = await rejection(processor(image, parseImageOptions({}), context(controller.signal)));
    expect(e.code).toBe('DEADLINE_EXCEEDED');
    expect(e.message).toMatch(/^photo\.png: /);
    expect(e.retryable).toBe(false);
    // The run under way is left to finish on its own; it still does.
    expect((await inference)?.length).toBeGreaterThan(0);
  });

  it('an inference that never returns does not hold the processor past its deadline', async () => {
    const controller = new AbortController();
    const reason = new CutoutError('DEADLINE_EXCEEDED', 'photo.png: did not finish within 1 s');
    const stuck: Segmenter = {
      spec: tiny.spec,
      maxBatch: tiny.maxBatch,
      infer: () => {
        controller.abort(reason);
        return new Promise(() => undefined);
      },
    };
    const processor = createImageProcessor({ get: async () => stuck });
    await expect(processor(image, parseImageOptions({}), context(controller.signal))).rejects.toBe(
      reason,
    );
  });

  it('a signal that aborted before the call runs no inference at all', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const counting: Segmenter = {
      spec: tiny.spec,
      maxBatch: tiny.maxBatch,
      infer: (tensor, batch) => {
        calls++;
        return tiny.infer(tensor, batch);
      },
    };
    const e = await rejection(
      removeBackground(
        { image, options: parseImageOptions({}), fileName: 'photo.png', signal: controller.signal },
        { segmenter: counting },
      ),
    );
    expect(e.code).toBe('DEADLINE_EXCEEDED');
    expect(calls).toBe(0);
  });
});
