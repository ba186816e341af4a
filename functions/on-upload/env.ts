import { logLevelShape } from '../../adapters/observability/log.ts';
import {
  awsEnvShape,
  inputBucketShape,
  jobsTableShape,
  parseEnv,
  queuesShape,
  ttlShape,
} from '../shared/env-schema.ts';

export const uploadEnvShape = {
  ...awsEnvShape,
  ...logLevelShape,
  ...jobsTableShape,
  ...inputBucketShape,
  ...queuesShape,
  ...ttlShape,
};

/** The upload-event function's environment (or the local stack's settings), parsed once at cold start. */
export function parseUploadEnv(source: Record<string, string | undefined>) {
  return parseEnv(uploadEnvShape, source);
}

export type UploadConfig = ReturnType<typeof parseUploadEnv>;
