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

export const filesEnvShape = {
  ...awsEnvShape,
  ...logLevelShape,
  ...jobsTableShape,
  ...outputBucketShape,
  ...responseLimitShape,
  ...bindResultsShape,
  ...optionalKeysTableShape,
};

/** The files function's environment (or the local stack's settings), parsed once at cold start. */
export function parseFilesEnv(source: Record<string, string | undefined>) {
  return parseEnv(filesEnvShape, source);
}

export type FilesConfig = ReturnType<typeof parseFilesEnv>;
