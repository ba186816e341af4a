import { logLevelShape } from '../../adapters/observability/log.ts';
import {
  awsEnvShape,
  bindResultsShape,
  jobsTableShape,
  optionalKeysTableShape,
  outputBucketShape,
  parseEnv,
} from '../shared/env-schema.ts';

export const resultsEnvShape = {
  ...awsEnvShape,
  ...logLevelShape,
  ...jobsTableShape,
  ...outputBucketShape,
  ...bindResultsShape,
  ...optionalKeysTableShape,
};

/** The results function's environment (or the local stack's settings), parsed once at cold start. */
export function parseResultsEnv(source: Record<string, string | undefined>) {
  return parseEnv(resultsEnvShape, source);
}

export type ResultsConfig = ReturnType<typeof parseResultsEnv>;
