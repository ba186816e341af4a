import { invalidField } from '../errors.ts';
import type { ModelAliases } from './aliases.ts';
import type { ModelManifest } from './manifest.schema.ts';

/**
 * Licences that allow commercial use, modification and redistribution without passing the
 * licence on to the service's users or its output (no copyleft, no non-commercial clause).
 * `commercialSafeOnly` lets only these run. Anything else (AGPL-3.0, GPL, CC BY-NC, unknown
 * ids) counts as non-permissive, so a new licence is refused until someone adds it here.
 */
export const PERMISSIVE_LICENCES: ReadonlySet<string> = new Set([
  'MIT',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'ISC',
  'Zlib',
  'CC0-1.0',
  'Unlicense',
]);

export function isPermissive(spdx: string): boolean {
  return PERMISSIVE_LICENCES.has(spdx);
}

/** SPDX id of a manifest model's weights, or undefined for an id the manifest lacks (a path). */
export function licenceOf(manifest: ModelManifest, modelId: string): string | undefined {
  return manifest.models.find((model) => model.id === modelId)?.licence.spdx;
}

/**
 * Requestable ids (manifest ids and aliases) whose served model is non-permissive, with that
 * model's id and licence: what a commercial-safe deployment refuses.
 */
export function nonPermissiveModels(
  manifest: ModelManifest,
  aliases: ModelAliases,
): ReadonlyMap<string, { readonly modelId: string; readonly spdx: string }> {
  const refused = new Map<string, { modelId: string; spdx: string }>();
  for (const model of manifest.models) {
    if (!isPermissive(model.licence.spdx)) {
      refused.set(model.id, { modelId: model.id, spdx: model.licence.spdx });
    }
  }
  for (const [alias, target] of aliases) {
    const spdx = licenceOf(manifest, target);
    if (spdx !== undefined && !isPermissive(spdx)) refused.set(alias, { modelId: target, spdx });
    // An alias that hides a refused id behind a permissive model is allowed: the permissive one runs.
    else if (refused.has(alias)) refused.delete(alias);
  }
  return refused;
}

/**
 * Refuses a requested model that a commercial-safe deployment does not run.
 * @throws CutoutError INVALID_REQUEST (400) naming `model`, the model and its licence
 */
export function assertCommercialSafe(
  requested: string,
  refused: ReadonlyMap<string, { readonly modelId: string; readonly spdx: string }> | undefined,
): void {
  const hit = refused?.get(requested);
  if (hit === undefined) return;
  const via = hit.modelId === requested ? '' : ` (served by "${hit.modelId}")`;
  throw invalidField(
    'model',
    `model "${requested}"${via} is licensed ${hit.spdx}, and this deployment runs only permissively licensed models (commercialSafeOnly: ${[...PERMISSIVE_LICENCES].join(', ')})`,
  );
}
