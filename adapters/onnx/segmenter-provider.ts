import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import { CutoutError } from '../../core/errors.ts';
import { MODEL_MANIFEST } from '../../core/models/bundled-manifest.ts';
import type { ModelManifest } from '../../core/models/manifest.schema.ts';
import { modelSpecOf, resolveModel } from '../../core/models/resolve-model.ts';
import type { ModelSpec, SegmenterProvider } from '../../core/ports.ts';
import { expectedDigest } from '../models/checksum.ts';
import { ensureFp32Variant, fp32VariantPath } from '../models/fp32-variant.ts';
import type { ModelSettings } from '../models/model-env.ts';
import { createModelStore, type EnsureOptions, type ModelStore } from '../models/model-store.ts';
import {
  createOnnxSegmenter,
  type LoadedSession,
  loadSession,
  type OnnxSegmenter,
} from './onnx-segmenter.ts';
import {
  dropOptimizedModel,
  findOptimizedModel,
  optimizedModelKey,
  optimizedModelPath,
  pendingOptimizedModel,
} from './optimized-model.ts';

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

export interface SegmenterProviderOptions {
  readonly manifest?: ModelManifest;
  readonly store?: ModelStore;
  /** Normalisation for models given as a file path (default ImageNet, as u2net). */
  readonly pathModelNormalisation?: Pick<ModelSpec, 'mean' | 'std'>;
  /** Images per run when a model's batch axis is dynamic (default 8). */
  readonly dynamicBatchLimit?: number;
  /** One line per session load: which model, requested as what, on which provider. */
  readonly log?: (message: string) => void;
  /**
   * Run one batch of zeros right after loading, so the first real request does not pay for
   * ONNX Runtime's lazy allocations (workers turn this on; the CLI and tests need not).
   */
  readonly warmUp?: boolean;
  /** Progress of fetching weights on first use. */
  readonly onProgress?: EnsureOptions['onProgress'];
}

export interface OnnxSegmenterProvider extends SegmenterProvider {
  get(modelId: string): Promise<OnnxSegmenter>;
  /** Releases every session loaded so far (worker shutdown, tests). */
  close(): Promise<void>;
}

/** True when a requested model is a file path rather than a manifest id. */
export function isModelPath(modelId: string): boolean {
  return (
    modelId.endsWith('.onnx') ||
    modelId.includes('/') ||
    modelId.includes('\\') ||
    isAbsolute(modelId)
  );
}

/**
 * One ONNX session per resolved model per process: concurrent `get`s share one load, and a
 * failed load is forgotten so a later call can retry (after `cutout models pull`, say).
 * Accepts manifest ids, aliases from the settings, and paths to `.onnx` files.
 */
export function createSegmenterProvider(
  settings: ModelSettings,
  options: SegmenterProviderOptions = {},
): OnnxSegmenterProvider {
  const manifest = options.manifest ?? MODEL_MANIFEST;
  const store = options.store ?? createModelStore(settings);
  const sessions = new Map<string, Promise<OnnxSegmenter>>();
  const sessionOptions = {
    providers: settings.providers,
    intraOpThreads: settings.intraOpThreads,
    ...(options.log ? { log: options.log } : {}),
  };
  const batchOptions =
    options.dynamicBatchLimit === undefined ? {} : { dynamicBatchLimit: options.dynamicBatchLimit };

  async function loadManifestModel(requestedId: string, entryId: string): Promise<OnnxSegmenter> {
    const { entry } = resolveModel(manifest, new Map(), entryId);
    const cpuFp32 = entry.cpuVariant === 'fp32' && settings.providers[0] === 'cpu';
    // What the session is made from: the verified weights or, fp16 on the CPU, their fp32 copy.
    const weightsPath = cpuFp32 ? fp32VariantPath(store.cacheDir, entry) : store.pathOf(entry);
    const digest = expectedDigest(entry)?.hex;
    const key =
      settings.providers[0] === 'cpu' && digest
        ? optimizedModelKey(`${digest}${cpuFp32 ? '+fp32' : ''}`)
        : undefined;
    const savedPath = key ? optimizedModelPath(store.cacheDir, entry.id, key) : undefined;

    // A graph saved by an earlier load skips verifying the weights (hashing 100s of MB) and
    // ONNX Runtime's optimisation pass: together most of a CLI run's start-up.
    let loaded: LoadedSession | undefined;
    let via = '';
    const saved = key && savedPath ? await findOptimizedModel(savedPath, key) : undefined;
    if (saved) {
      try {
        loaded = await loadSession(saved, sessionOptions, { preOptimized: true });
        via = ` (optimised graph saved in ${saved})`;
      } catch (error) {
        options.log?.(
          `model ${entry.id}: the saved graph ${saved} failed to load (${error instanceof Error ? error.message : String(error)}); deriving it again`,
        );
        await dropOptimizedModel(saved);
      }
    }
    if (!loaded) {
      const verified = await store.ensure(
        entry,
        options.onProgress ? { onProgress: options.onProgress } : {},
      );
      // fp16 weights on the CPU provider run through an fp32 copy; a GPU keeps the fp16 file.
      const path = cpuFp32
        ? await ensureFp32Variant(store.cacheDir, entry, verified, options.log)
        : verified;
      loaded = key && savedPath ? await loadSaving(path, savedPath, key) : undefined;
      loaded ??= await loadSession(path, sessionOptions);
    }
    const segmenter = createOnnxSegmenter(loaded, modelSpecOf(entry), batchOptions);
    options.log?.(
      `model ${entry.id}${requestedId === entry.id ? '' : ` (requested as ${requestedId})`} loaded from ${weightsPath}${via} on ${loaded.provider}, batch <= ${segmenter.maxBatch}`,
    );
    return segmenter;
  }

  /**
   * Loads `path` and saves its optimised graph for the next load. Undefined when that fails (a
   * read-only cache, say): the caller then loads without saving, and a real fault shows there.
   */
  async function loadSaving(
    path: string,
    savedPath: string,
    key: ReturnType<typeof optimizedModelKey>,
  ): Promise<LoadedSession | undefined> {
    // A read-only cache (a container's baked-in weights) would fail the save at every start.
    if (
      !(await access(store.cacheDir, constants.W_OK).then(
        () => true,
        () => false,
      ))
    ) {
      return undefined;
    }
    const pending = pendingOptimizedModel(savedPath, key);
    let loaded: LoadedSession;
    try {
      loaded = await loadSession(path, sessionOptions, { saveOptimizedTo: pending.temporaryPath });
    } catch {
      await pending.discard();
      return undefined;
    }
    try {
      await pending.commit();
    } catch (error) {
      await pending.discard();
      options.log?.(
        `model ${path}: cannot save the optimised graph to ${savedPath}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return loaded;
  }

  async function loadPathModel(path: string): Promise<OnnxSegmenter> {
    try {
      await access(path);
    } catch {
      throw new CutoutError(
        'MODEL_NOT_FOUND',
        `model file ${path} does not exist (give a manifest id or a path to an .onnx file)`,
        { field: 'model' },
      );
    }
    const loaded = await loadSession(path, sessionOptions);
    const shape = loaded.input.shape;
    const height = shape?.[2];
    const width = shape?.[3];
    if (shape?.length !== 4 || shape[1] !== 3 || typeof height !== 'number' || height !== width) {
      await loaded.session.release();
      throw new CutoutError(
        'MODEL_UNAVAILABLE',
        `model file ${path}: input ${loaded.input.name} has shape [${shape?.join(',') ?? '?'}], expected [N,3,S,S] with a fixed S`,
        { field: 'model' },
      );
    }
    const normalisation = options.pathModelNormalisation ?? IMAGENET;
    const segmenter = createOnnxSegmenter(
      loaded,
      { id: path, inputSize: height, mean: normalisation.mean, std: normalisation.std },
      batchOptions,
    );
    options.log?.(
      `model file ${basename(path)} loaded from ${path} on ${loaded.provider}, input ${height}x${height}`,
    );
    return segmenter;
  }

  async function warm(segmenter: OnnxSegmenter): Promise<OnnxSegmenter> {
    if (!options.warmUp) return segmenter;
    const size = segmenter.spec.inputSize;
    try {
      await segmenter.infer(new Float32Array(3 * size * size), 1);
      return segmenter;
    } catch (error) {
      await segmenter.release();
      throw error;
    }
  }

  function remember(key: string, load: () => Promise<OnnxSegmenter>): Promise<OnnxSegmenter> {
    const known = sessions.get(key);
    if (known) return known;
    const pending = load().then(warm);
    sessions.set(key, pending);
    pending.catch(() => sessions.delete(key));
    return pending;
  }

  return {
    get(modelId) {
      if (isModelPath(modelId)) {
        const path = resolve(modelId);
        return remember(`file:${path}`, () => loadPathModel(path));
      }
      try {
        const { entry } = resolveModel(manifest, settings.aliases, modelId);
        return remember(entry.id, () => loadManifestModel(modelId, entry.id));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async close() {
      const loaded = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(loaded.map(async (pending) => (await pending).release()));
    },
  };
}
