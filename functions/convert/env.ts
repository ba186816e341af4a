import { z } from 'zod';
import { ENV } from '../../core/config/resources.ts';
import {
  awsEnvShape,
  inlineLimitShape,
  inputBucketShape,
  jobsTableShape,
  keysTableShape,
  parseEnv,
  queuesShape,
  ttlShape,
} from '../shared/env-schema.ts';

/** The convert function's environment, parsed once at cold start. */
export const env = parseEnv(
  {
    ...awsEnvShape,
    ...jobsTableShape,
    ...keysTableShape,
    ...inputBucketShape,
    ...queuesShape,
    ...ttlShape,
    ...inlineLimitShape,
    [ENV.modelAliases]: z.string().optional(),
  },
  process.env,
);
