import { z } from 'zod';
import { logLevelShape } from '../../adapters/observability/log.ts';
import { RECONCILER_DEFAULTS, RECONCILER_ENV } from '../../core/config/reconciler.ts';
import {
  awsEnvShape,
  inputBucketShape,
  jobsTableShape,
  parseEnv,
  queuesShape,
} from '../shared/env-schema.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const reconcilerEnvShape = {
  ...awsEnvShape,
  ...logLevelShape,
  ...jobsTableShape,
  ...inputBucketShape,
  ...queuesShape,
  [RECONCILER_ENV.queuedAfterSeconds]: positiveInt(RECONCILER_DEFAULTS.queuedAfterSeconds),
  [RECONCILER_ENV.uploadGraceSeconds]: positiveInt(RECONCILER_DEFAULTS.uploadGraceSeconds),
  [RECONCILER_ENV.abandonUploadAfterSeconds]: positiveInt(
    RECONCILER_DEFAULTS.abandonUploadAfterSeconds,
  ),
  [RECONCILER_ENV.maxFiles]: positiveInt(RECONCILER_DEFAULTS.maxFiles),
};

/** The reconciler's environment (or the local stack's settings), parsed once at cold start. */
export function parseReconcilerEnv(source: Record<string, string | undefined>) {
  return parseEnv(reconcilerEnvShape, source);
}

export type ReconcilerConfig = ReturnType<typeof parseReconcilerEnv>;
