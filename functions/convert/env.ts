import { z } from 'zod';
import { logLevelShape } from '../../adapters/observability/log.ts';
import { ENV } from '../../core/config/resources.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../../core/jobs/job-limits.ts';
import {
  availableModelsShape,
  awsEnvShape,
  inlineLimitShape,
  inputBucketShape,
  jobsTableShape,
  optionalKeysTableShape,
  parseEnv,
  queuesShape,
  ttlShape,
} from '../shared/env-schema.ts';

/** The convert function's environment, parsed once at cold start. */
export const env = parseEnv(
  {
    ...awsEnvShape,
    ...logLevelShape,
    ...jobsTableShape,
    ...optionalKeysTableShape,
    ...inputBucketShape,
    ...queuesShape,
    ...ttlShape,
    ...inlineLimitShape,
    ...availableModelsShape,
    [ENV.modelAliases]: z.string().optional(),
    [ENV.maxImageBytes]: z.coerce.number().int().positive().default(DEFAULT_MAX_IMAGE_BYTES),
  },
  process.env,
);
