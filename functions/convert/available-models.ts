import { CutoutError } from '../../core/errors.ts';
import type { ModelAliases } from '../../core/models/aliases.ts';
import { AVAILABLE_MODELS_ENV } from '../shared/env-schema.ts';

/**
 * The model ids /v1/convert accepts: the models the deployed workers have (`deployed`, a
 * comma-separated list the CDK app writes from the image's build) or, when unset, every
 * manifest model; plus each alias whose target is among them. A request for any other model
 * is refused with a 400 at once instead of being queued for workers that cannot run it.
 * @throws CutoutError INTERNAL naming the variable when it lists a model the manifest lacks
 */
export function availableModels(
  manifestIds: readonly string[],
  deployed: string | undefined,
  aliases: ModelAliases,
): ReadonlySet<string> {
  const listed = (deployed ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const unknown = listed.filter((id) => !manifestIds.includes(id));
  if (unknown.length > 0) {
    throw new CutoutError(
      'INTERNAL',
      `environment: ${AVAILABLE_MODELS_ENV}: ${unknown.join(', ')} not in the model manifest`,
    );
  }
  const available = new Set(listed.length > 0 ? listed : manifestIds);
  for (const [alias, target] of aliases) {
    if (available.has(target) || listed.length === 0) available.add(alias);
  }
  return available;
}
