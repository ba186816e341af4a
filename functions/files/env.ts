import { logLevelShape } from '../../adapters/observability/log.ts';
import {
  awsEnvShape,
  bindResultsShape,
  jobsTableShape,
  optionalKeysTableShape,
  outputBucketShape,
  parseEnv,
  responseLimitShape,
} from '../shared/env-schema.ts';

/** The files function's environment, parsed once at cold start. */
export const env = parseEnv(
  {
    ...awsEnvShape,
    ...logLevelShape,
    ...jobsTableShape,
    ...outputBucketShape,
    ...responseLimitShape,
    ...bindResultsShape,
    ...optionalKeysTableShape,
  },
  process.env,
);
