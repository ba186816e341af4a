import { z } from 'zod';
import { OUTBOUND_ENV, outboundEnvShapeAws } from '../../adapters/http/outbound-env.ts';
import { logLevelShape } from '../../adapters/observability/log.ts';
import { ENV } from '../../core/config/resources.ts';
import { maxImageBytesShape } from '../../core/jobs/job-limits.ts';
import {
  availableModelsShape,
  awsEnvShape,
  commercialSafeOnlyShape,
  inlineLimitShape,
  inputBucketShape,
  jobsTableShape,
  optionalKeysTableShape,
  parseEnv,
  queuesShape,
  ttlShape,
} from '../shared/env-schema.ts';

export const convertEnvShape = {
  ...awsEnvShape,
  ...logLevelShape,
  ...jobsTableShape,
  ...optionalKeysTableShape,
  ...inputBucketShape,
  ...queuesShape,
  ...ttlShape,
  ...inlineLimitShape,
  ...availableModelsShape,
  ...commercialSafeOnlyShape,
  [ENV.modelAliases]: z
    .string()
    .optional()
    .describe('Model aliases, `requested=served` pairs separated by commas.'),
  ...maxImageBytesShape,
  // Which image_url schemes convert accepts; the worker fetches under the same variable.
  [OUTBOUND_ENV.allowHttp]: outboundEnvShapeAws[OUTBOUND_ENV.allowHttp],
};

/** The convert function's environment (or the local stack's settings), parsed once at cold start. */
export function parseConvertEnv(source: Record<string, string | undefined>) {
  return parseEnv(convertEnvShape, source);
}

export type ConvertConfig = ReturnType<typeof parseConvertEnv>;
