import type { AwsClients } from '../../adapters/aws/clients.ts';
import { OUTBOUND_ENV } from '../../adapters/http/outbound-env.ts';
import type { CreateJobDeps } from '../../core/jobs/create-job.ts';
import { parseModelAliases } from '../../core/models/aliases.ts';
import { MODEL_MANIFEST } from '../../core/models/bundled-manifest.ts';
import { nonPermissiveModels } from '../../core/models/licence.ts';
import { COMMERCIAL_SAFE_ONLY_ENV } from '../shared/env-schema.ts';
import { jobWritePorts } from '../shared/job-write-ports.ts';
import { availableModels } from './available-models.ts';
import type { ConvertConfig } from './env.ts';

/**
 * What createJob needs, from the convert configuration: the table, inputs and queues, the
 * limits it applies and the models workers can run. The convert Lambda and the streaming front
 * door build it here, so both create jobs under the same rules.
 */
export function convertJobDeps(config: ConvertConfig, aws: AwsClients): CreateJobDeps {
  const aliases = parseModelAliases(config.CUTOUT_MODEL_ALIASES);
  return {
    ...jobWritePorts(config, aws),
    limits: { ttlDays: config.JOB_TTL_DAYS, maxImageBytes: config.MAX_IMAGE_BYTES },
    knownModels: availableModels(
      MODEL_MANIFEST.models.map((model) => model.id),
      config.CUTOUT_AVAILABLE_MODELS,
      aliases,
    ),
    imageUrlRules: { allowHttp: config[OUTBOUND_ENV.allowHttp] },
    ...(config[COMMERCIAL_SAFE_ONLY_ENV]
      ? { refusedModels: nonPermissiveModels(MODEL_MANIFEST, aliases) }
      : {}),
  };
}
