import * as ort from 'onnxruntime-node';
import { CutoutError } from '../../core/errors.ts';
import type { ModelSpec, Segmenter } from '../../core/ports.ts';
import type { ExecutionProviderName } from '../models/model-env.ts';
import { halfToFloat } from './fp16-to-fp32.ts';

export interface OnnxSegmenterOptions {
  /** Providers in order of preference; a list that ends with `cpu` may fall back to it. */
  readonly providers: readonly ExecutionProviderName[];
  readonly intraOpThreads?: number | undefined;
  /** Cap on images per call when the model's batch axis is dynamic. */
  readonly dynamicBatchLimit?: number;
  readonly log?: (message: string) => void;
}

/** A session's first input: its name and declared shape (strings for symbolic dimensions). */
export interface InputSignature {
  readonly name: string;
  readonly shape: readonly (number | string)[] | undefined;
}

export interface OnnxSegmenter extends Segmenter {
  /** The provider the session was created with (the first of the list that loaded). */
  readonly provider: ExecutionProviderName;
  readonly input: InputSignature;
  readonly outputName: string;
  release(): Promise<void>;
}

/** A loaded session plus what the segmenter needs to know about it. */
export interface LoadedSession {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProviderName;
  readonly input: InputSignature;
}

/** How the CPU provider treats the graph file (optimized-model.ts); other providers ignore it. */
export interface GraphFileOptions {
  /** The file is a graph ONNX Runtime saved already optimised: load it as it is. */
  readonly preOptimized?: boolean;
  /** Save the optimised graph here while loading. */
  readonly saveOptimizedTo?: string;
}

/**
 * Creates an ONNX Runtime session, trying the providers in order. CUDA and WebGPU are only tried
 * when asked: their libraries or adapter are absent on CPU machines, and a quiet CPU fallback
 * would hide that (a list that ends with `cpu` falls back and logs each failure).
 * @throws CutoutError MODEL_UNAVAILABLE naming the file and each provider's failure
 */
export async function loadSession(
  modelPath: string,
  options: OnnxSegmenterOptions,
  graph: GraphFileOptions = {},
): Promise<LoadedSession> {
  const failures: string[] = [];
  for (const provider of options.providers) {
    try {
      const session = await ort.InferenceSession.create(
        modelPath,
        sessionOptions(provider, options.intraOpThreads, provider === 'cpu' ? graph : {}),
      );
      const name = session.inputNames[0];
      if (name === undefined || session.outputNames[0] === undefined) {
        await session.release();
        throw new Error('the model has no inputs or no outputs');
      }
      const meta = session.inputMetadata.find((value) => value.name === name);
      const shape = meta?.isTensor ? meta.shape : undefined;
      if (failures.length > 0) options.log?.(`onnx: ${failures.join('; ')}; using ${provider}`);
      return { session, provider, input: { name, shape } };
    } catch (error) {
      failures.push(providerFailure(provider, error));
    }
  }
  throw new CutoutError(
    'MODEL_UNAVAILABLE',
    `cannot load ONNX model ${modelPath} (${failures.join('; ')})`,
  );
}

/**
 * One line per failed provider. ONNX Runtime's messages span lines and lead with its source
 * location; a missing WebGPU adapter (any machine without a GPU driver) is said plainly.
 */
function providerFailure(provider: ExecutionProviderName, error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  const adapter = /Failed to get a WebGPU adapter: (.*)$/.exec(text);
  return adapter
    ? `${provider} failed: no WebGPU adapter on this machine (${adapter[1]})`
    : `${provider} failed: ${text}`;
}

/**
 * Options for every session. Intra-op threads do not spin while they wait for work: ONNX
 * Runtime's default keeps them busy-waiting between and after runs, which takes the cores that
 * the rest of the process (sharp) and its ffmpeg children need. With the tiny model on 2 cores,
 * spinning held the video pipeline at 0.70 of plain ffmpeg for `mov` (0.75-0.82 without) and
 * qtrle at 43 fps (60-70 without); image inference measured the same either way.
 */
export function sessionOptions(
  provider: ExecutionProviderName,
  intraOpThreads: number | undefined,
  graph: GraphFileOptions = {},
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: graph.preOptimized ? 'disabled' : 'all',
    ...(graph.saveOptimizedTo ? { optimizedModelFilePath: graph.saveOptimizedTo } : {}),
    executionMode: 'sequential',
    logSeverityLevel: 3,
    ...(intraOpThreads ? { intraOpNumThreads: intraOpThreads } : {}),
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

/**
 * The largest batch one run accepts: the fixed batch dimension when the model declares one,
 * `limit` when the axis is symbolic or free.
 */
export function maxBatchOf(shape: InputSignature['shape'], limit: number): number {
  const batch = shape?.[0];
  return typeof batch === 'number' && batch > 0 ? batch : limit;
}

/** Wraps a loaded session as the pipeline's Segmenter (first input in, the spec's output out). */
export function createOnnxSegmenter(
  loaded: LoadedSession,
  spec: ModelSpec,
  options: Pick<OnnxSegmenterOptions, 'dynamicBatchLimit'> = {},
): OnnxSegmenter {
  const { session, provider, input } = loaded;
  const outputIndex = spec.outputIndex ?? 0;
  const outputName = session.outputNames[outputIndex];
  if (outputName === undefined) {
    throw new CutoutError(
      'MODEL_UNAVAILABLE',
      `model "${spec.id}" has ${session.outputNames.length} outputs; the manifest reads output ${outputIndex}`,
    );
  }
  const size = spec.inputSize;
  const plane = size * size;
  const maxBatch = maxBatchOf(input.shape, options.dynamicBatchLimit ?? 8);

  return {
    spec,
    maxBatch,
    provider,
    input,
    outputName,
    async infer(data, batch) {
      if (!Number.isInteger(batch) || batch < 1 || batch > maxBatch) {
        throw new CutoutError(
          'INTERNAL',
          `model "${spec.id}" takes 1..${maxBatch} images per run, got ${batch}`,
        );
      }
      if (data.length !== batch * 3 * plane) {
        throw new CutoutError(
          'INTERNAL',
          `model "${spec.id}" expects ${batch}x3x${size}x${size} floats, got ${data.length}`,
        );
      }
      let result: ort.InferenceSession.ReturnType;
      try {
        const tensor = new ort.Tensor('float32', data, [batch, 3, size, size]);
        // Fetch only the mask: the u2net and ISNet graphs also emit side outputs we never read.
        result = await session.run({ [input.name]: tensor }, [outputName]);
      } catch (error) {
        throw new CutoutError(
          'MODEL_UNAVAILABLE',
          `model "${spec.id}" failed to run: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      const output = result[outputName];
      if (
        output === undefined ||
        (output.type !== 'float32' && output.type !== 'float16') ||
        output.data.length !== batch * plane
      ) {
        throw new CutoutError(
          'MODEL_UNAVAILABLE',
          `model "${spec.id}": output ${outputName} is ${output?.type ?? 'missing'} [${output?.dims.join(',') ?? ''}], expected float32 [${batch},1,${size},${size}]`,
        );
      }
      // BEN2's published graph declares its output float16: the runtime hands back raw bits.
      return output.type === 'float16'
        ? Float32Array.from(output.data as Uint16Array, halfToFloat)
        : (output.data as Float32Array);
    },
    release: () => session.release(),
  };
}
