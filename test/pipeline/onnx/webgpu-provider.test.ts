import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelSettingsFromEnv } from '../../../adapters/models/model-env.ts';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { CutoutError } from '../../../core/errors.ts';
import { TEST_MODEL_DIR, tinyModelPath } from '../../support/tiny-model.ts';

// CUTOUT_ORT_PROVIDERS=webgpu through the real onnxruntime-node binary, which has the WebGPU
// provider built in. Most machines that run the tests have no GPU adapter: there the provider
// must fail loudly when asked alone and fall back, with a logged line, when the list ends in cpu.

/** Whether this machine gives ONNX Runtime a WebGPU adapter (asked of the runtime directly). */
let adapter = false;

beforeAll(async () => {
  const path = await tinyModelPath();
  try {
    const session = await ort.InferenceSession.create(path, {
      executionProviders: ['webgpu'],
      logSeverityLevel: 3,
    });
    await session.release();
    adapter = true;
  } catch {
    adapter = false;
  }
});

const settingsFor = (providers: string) =>
  modelSettingsFromEnv({
    CUTOUT_MODEL_DIR: TEST_MODEL_DIR,
    CUTOUT_ORT_PROVIDERS: providers,
    CUTOUT_MODEL_DOWNLOAD: 'false',
  });

describe('CUTOUT_ORT_PROVIDERS=webgpu', () => {
  it('is a provider the runtime binary bundles', () => {
    expect(ort.listSupportedBackends()).toContainEqual({ name: 'webgpu', bundled: true });
    expect(settingsFor('WebGPU, cpu').providers).toEqual(['webgpu', 'cpu']);
  });

  it('webgpu,cpu runs on the GPU or falls back to the CPU with a logged line', async () => {
    const logs: string[] = [];
    const provider = createSegmenterProvider(settingsFor('webgpu,cpu'), {
      log: (line) => logs.push(line),
    });
    try {
      const segmenter = await provider.get('tiny');
      const mask = await segmenter.infer(new Float32Array(3 * 320 * 320), 1);
      expect(mask).toHaveLength(320 * 320);
      if (adapter) {
        expect(segmenter.provider).toBe('webgpu');
      } else {
        expect(segmenter.provider).toBe('cpu');
        expect(logs[0]).toMatch(/^onnx: webgpu failed: .*adapter.*; using cpu$/i);
        expect(logs.at(-1)).toMatch(/^model tiny loaded from .* on cpu, batch <= 8$/);
      }
    } finally {
      await provider.close();
    }
  });

  it('webgpu alone fails with MODEL_UNAVAILABLE naming the provider when there is no adapter', async () => {
    const provider = createSegmenterProvider(settingsFor('webgpu'));
    try {
      if (adapter) {
        expect((await provider.get('tiny')).provider).toBe('webgpu');
        return;
      }
      const error = await provider.get('tiny').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CutoutError);
      expect((error as CutoutError).code).toBe('MODEL_UNAVAILABLE');
      expect((error as CutoutError).message).toMatch(
        /^cannot load ONNX model .*tiny\.onnx \(webgpu failed: .*adapter/i,
      );
    } finally {
      await provider.close();
    }
  });
});
