import { logLevelShape } from '../../adapters/observability/log.ts';
import {
  awsEnvShape,
  bindResultsShape,
  jobsTableShape,
  optionalKeysTableShape,
  outputBucketShape,
  parseEnv,
} from '../shared/env-schema.ts';

/** The results function's environment, parsed once at cold start. */
export const env = parseEnv(
  {
    ...awsEnvShape,
    ...logLevelShape,
    ...jobsTableShape,
    ...outputBucketShape,
    ...bindResultsShape,
    ...optionalKeysTableShape,
  },
  process.env,
);
