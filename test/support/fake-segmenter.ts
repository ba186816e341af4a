import type { ModelSpec, Segmenter } from '../../core/ports.ts';

export interface FakeSegmenter extends Segmenter {
  /** The batch size of every `infer` call, in order. */
  readonly calls: number[];
}

export interface FakeSegmenterOptions {
  readonly inputSize?: number;
  readonly maxBatch?: number;
  readonly id?: string;
  /** Map one normalised pixel (r, g, b after mean/std) to the model's raw output. */
  readonly pixel?: (r: number, g: number, b: number) => number;
}

/**
 * A deterministic Segmenter for unit tests: mean 0 and std 1, so the values it sees are the
 * image divided by its maximum; by default it answers 1 where red dominates and 0 elsewhere
 * (the same rule as the generated tiny ONNX model).
 */
export function createFakeSegmenter(options: FakeSegmenterOptions = {}): FakeSegmenter {
  const size = options.inputSize ?? 32;
  const pixel = options.pixel ?? ((r, g, b) => (r > g && r > b ? 1 : 0));
  const spec: ModelSpec = {
    id: options.id ?? 'fake',
    inputSize: size,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  };
  const calls: number[] = [];
  return {
    spec,
    maxBatch: options.maxBatch ?? 1,
    calls,
    async infer(input: Float32Array, batch: number): Promise<Float32Array> {
      calls.push(batch);
      const plane = size * size;
      const out = new Float32Array(batch * plane);
      for (let n = 0; n < batch; n++) {
        const base = n * 3 * plane;
        for (let p = 0; p < plane; p++) {
          out[n * plane + p] = pixel(
            input[base + p] ?? 0,
            input[base + plane + p] ?? 0,
            input[base + 2 * plane + p] ?? 0,
          );
        }
      }
      return out;
    },
  };
}
