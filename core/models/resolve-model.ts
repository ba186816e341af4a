import { CutoutError } from '../errors.ts';
import type { ModelSpec } from '../ports.ts';
import type { ModelAliases } from './aliases.ts';
import type { ModelEntry, ModelManifest } from './manifest.schema.ts';

/** A requested id after aliasing: `entry.id` is the model that really runs. */
export interface ResolvedModel {
  readonly requestedId: string;
  readonly entry: ModelEntry;
  /** True when an alias redirected the request to another entry. */
  readonly aliased: boolean;
}

/**
 * Resolves a requested model id through the aliases (one hop: aliases map requests to manifest
 * entries, they do not chain) to a manifest entry.
 * @throws CutoutError MODEL_NOT_FOUND naming the id and listing the known ones
 */
export function resolveModel(
  manifest: ModelManifest,
  aliases: ModelAliases,
  requestedId: string,
): ResolvedModel {
  const target = aliases.get(requestedId) ?? requestedId;
  const entry = manifest.models.find((model) => model.id === target);
  if (entry === undefined) {
    const known = manifest.models.map((model) => model.id).join(', ');
    const via = target === requestedId ? '' : ` (alias of "${requestedId}")`;
    throw new CutoutError(
      'MODEL_NOT_FOUND',
      `model "${target}"${via} is not in the manifest; known models: ${known}, or a path to an .onnx file`,
      { field: 'model' },
    );
  }
  return { requestedId, entry, aliased: target !== requestedId };
}

/** The manifest's default entry (the schema guarantees exactly one). */
export function defaultModel(manifest: ModelManifest): ModelEntry {
  const entry = manifest.models.find((model) => model.default === true);
  if (entry === undefined) throw new CutoutError('INTERNAL', 'the model manifest has no default');
  return entry;
}

/** What the pipeline needs to know about an entry. */
export function modelSpecOf(entry: ModelEntry): ModelSpec {
  return {
    id: entry.id,
    inputSize: entry.input.size,
    mean: entry.input.mean,
    std: entry.input.std,
    resizeKernel: entry.input.kernel ?? 'lanczos3',
    divideByMax: entry.input.divideByMax ?? true,
    maskMinMax: entry.output.minMax ?? true,
    maskKernel: entry.output.kernel ?? 'lanczos3',
    outputIndex: entry.output.index,
    outputSigmoid: entry.output.activation === 'logits',
  };
}
