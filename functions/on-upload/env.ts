import { logLevelShape } from '../../adapters/observability/log.ts';
import {
  awsEnvShape,
  inputBucketShape,
  jobsTableShape,
  parseEnv,
  queuesShape,
  ttlShape,
} from '../shared/env-schema.ts';

/** The upload-event function's environment, parsed once at cold start. */
export const env = parseEnv(
  {
    ...awsEnvShape,
    ...logLevelShape,
    ...jobsTableShape,
    ...inputBucketShape,
    ...queuesShape,
    ...ttlShape,
  },
  process.env,
);
