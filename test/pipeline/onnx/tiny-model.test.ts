import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOnnxSegmenter,
  loadSession,
  sessionOptions,
} from '../../../adapters/onnx/onnx-segmenter.ts';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { CutoutError } from '../../../core/errors.ts';
import {
  TINY_MODEL,
  tinyModelForeground,
  tinyModelLogit,
} from '../../../core/models/tiny-model-rule.ts';
import type { ModelSpec } from '../../../core/ports.ts';
import { tinyModelPath, tinyModelSettings } from '../../support/tiny-model.ts';

const S = TINY_MODEL.inputSize;
const provider = createSegmenterProvider(tinyModelSettings());
// Production stores never generate `tiny`; on a fresh clone the file must be written first.
beforeAll(() => tinyModelPath());
afterAll(() => provider.close());

/** An SxS image whose pixel (x, y) is colour(x, y), normalised as the pipeline would. */
function normalised(spec: ModelSpec, colour: (x: number, y: number) => [number, number, number]) {
  const data = new Float32Array(3 * S * S);
  for (let y = 0; y < S; y += 1) {
    for (let x = 0; x < S; x += 1) {
      const rgb = colour(x, y);
      for (let c = 0; c < 3; c += 1) {
        data[c * S * S + y * S + x] = ((rgb[c] ?? 0) - (spec.mean[c] ?? 0)) / (spec.std[c] ?? 1);
      }
    }
  }
  return data;
}

const gradient = (x: number, y: number): [number, number, number] => [
  x / (S - 1),
  y / (S - 1),
  0.3,
];
const redSquareOnGreen = (x: number, y: number): [number, number, number] =>
  x >= 100 && x < 220 && y >= 100 && y < 220 ? [0.9, 0.1, 0.1] : [0.1, 0.8, 0.2];

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe('tiny model in a real ONNX session', () => {
  it('serves the API model ids through aliases and records the model that ran', async () => {
    const segmenter = await provider.get('u2net');
    expect(segmenter.spec).toEqual({
      id: 'tiny',
      inputSize: 320,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      resizeKernel: 'lanczos3',
      divideByMax: true,
      maskMinMax: true,
      maskKernel: 'lanczos3',
      outputIndex: 0,
      outputSigmoid: false,
    });
    expect(segmenter.provider).toBe('cpu');
    expect(segmenter.input).toEqual({ name: 'input.1', shape: ['batch', 3, 320, 320] });
    expect(segmenter.outputName).toBe('d0');
  });

  it('shares one session between concurrent requests for the same model', async () => {
    const [a, b, c] = await Promise.all([
      provider.get('u2net'),
      provider.get('u2netp'),
      provider.get('tiny'),
    ]);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('has a dynamic batch axis and computes the documented rule per image', async () => {
    const segmenter = await provider.get('tiny');
    expect(segmenter.maxBatch).toBe(8);
    const input = concat(
      normalised(segmenter.spec, gradient),
      normalised(segmenter.spec, redSquareOnGreen),
    );
    const out = await segmenter.infer(input, 2);
    expect(out).toHaveLength(2 * S * S);
    for (const [x, y] of [
      [0, 0],
      [319, 0],
      [0, 319],
      [160, 160],
      [319, 319],
      [37, 250],
    ] as const) {
      const [r, g, b] = gradient(x, y);
      expect(out[y * S + x]).toBeCloseTo(tinyModelForeground(r, g, b), 5);
      const [r2, g2, b2] = redSquareOnGreen(x, y);
      expect(out[S * S + y * S + x]).toBeCloseTo(tinyModelForeground(r2, g2, b2), 5);
    }
    // Output 0 is the sigmoid map, not the raw logit that the model also emits as output 1.
    expect(out[S * S + 160 * S + 160]).not.toBeCloseTo(tinyModelLogit(0.9, 0.1, 0.1), 1);
    const square = out.subarray(S * S);
    const foreground = [...square].filter((p) => p > 0.5).length;
    expect(foreground).toBe(120 * 120);
  });

  it('is deterministic, and a batch of one equals the same image in a batch of two', async () => {
    const segmenter = await provider.get('tiny');
    const image = normalised(segmenter.spec, redSquareOnGreen);
    const once = await segmenter.infer(image, 1);
    const again = await segmenter.infer(image, 1);
    const inBatch = await segmenter.infer(concat(normalised(segmenter.spec, gradient), image), 2);
    // Compared as bytes: deep equality over 100k floats is needlessly slow.
    const bytes = (array: Float32Array) =>
      Buffer.from(array.buffer, array.byteOffset, array.byteLength);
    expect(bytes(once)).toHaveLength(4 * S * S);
    expect(bytes(again).equals(bytes(once))).toBe(true);
    expect(bytes(inBatch.subarray(S * S)).equals(bytes(once))).toBe(true);
  });

  it('runs with several non-spinning intra-op threads, giving the single-thread result', async () => {
    const options = sessionOptions('cpu', 2);
    expect(options.intraOpNumThreads).toBe(2);
    expect(options.extra).toEqual({ session: { intra_op: { allow_spinning: '0' } } });
    const single = await provider.get('tiny');
    const path = await tinyModelPath();
    const threaded = createOnnxSegmenter(
      await loadSession(path, { providers: ['cpu'], intraOpThreads: 2 }),
      single.spec,
    );
    try {
      const image = normalised(single.spec, redSquareOnGreen);
      const a = await single.infer(image, 1);
      const b = await threaded.infer(image, 1);
      expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toEqual(
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      );
    } finally {
      await threaded.release();
    }
  });

  it('rejects wrong batch sizes and tensor lengths', async () => {
    const segmenter = await provider.get('tiny');
    await expect(segmenter.infer(new Float32Array(9 * 3 * S * S), 9)).rejects.toThrowError(
      'model "tiny" takes 1..8 images per run, got 9',
    );
    await expect(segmenter.infer(new Float32Array(10), 1)).rejects.toThrowError(
      /expects 1x3x320x320 floats/,
    );
  });

  it('loads a model given as a file path, reading its input size from the model', async () => {
    const path = await tinyModelPath();
    const segmenter = await provider.get(path);
    expect(segmenter.spec).toEqual({
      id: path,
      inputSize: 320,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    });
    expect(segmenter).not.toBe(await provider.get('tiny'));
    expect(await provider.get(path)).toBe(segmenter);
  });

  it('names unknown ids and missing files', async () => {
    const unknown = await provider.get('u3net').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(CutoutError);
    expect((unknown as CutoutError).code).toBe('MODEL_NOT_FOUND');
    expect((unknown as CutoutError).message).toMatch(
      /model "u3net" is not in the manifest; known models: u2net, /,
    );
    const missing = await provider.get('/nowhere/model.onnx').catch((error: unknown) => error);
    expect((missing as CutoutError).code).toBe('MODEL_NOT_FOUND');
    expect((missing as CutoutError).message).toContain(
      'model file /nowhere/model.onnx does not exist',
    );
  });
});

describe('sessions that cannot load', () => {
  it('refuses a file that is not an ONNX model with MODEL_UNAVAILABLE naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutout-onnx-'));
    const path = join(dir, 'broken.onnx');
    await writeFile(path, 'this is not protobuf');
    try {
      const error = await provider.get(path).catch((thrown: unknown) => thrown);
      expect((error as CutoutError).code).toBe('MODEL_UNAVAILABLE');
      expect((error as CutoutError).message).toContain(`cannot load ONNX model ${path}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back from CUDA to CPU only when the list allows it, and says so', async () => {
    const cudaInstalled = existsSync(
      join(
        dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
        '..',
        'bin',
        'napi-v6',
        'linux',
        'x64',
        'libonnxruntime_providers_cuda.so',
      ),
    );
    const logs: string[] = [];
    const lenient = createSegmenterProvider(tinyModelSettings({ providers: ['cuda', 'cpu'] }), {
      log: (line) => logs.push(line),
    });
    const strict = createSegmenterProvider(tinyModelSettings({ providers: ['cuda'] }));
    try {
      const segmenter = await lenient.get('tiny');
      if (cudaInstalled) {
        expect(segmenter.provider).toBe('cuda');
      } else {
        expect(segmenter.provider).toBe('cpu');
        expect(logs[0]).toMatch(/^onnx: cuda failed: .*; using cpu$/);
        expect(logs[1]).toMatch(/^model tiny loaded from .* on cpu, batch <= 8$/);
        await expect(strict.get('tiny')).rejects.toThrowError(
          /cannot load ONNX model .*cuda failed/,
        );
      }
    } finally {
      await Promise.all([lenient.close(), strict.close()]);
    }
  });
});
