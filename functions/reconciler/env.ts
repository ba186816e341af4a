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
import { webhookQueueShape, webhookStaleShape } from '../shared/webhook-env.ts';

const positiveInt = (fallback: number, meaning: string) =>
  z.coerce.number().int().positive().default(fallback).describe(meaning);

export const reconcilerEnvShape = {
  ...awsEnvShape,
  ...logLevelShape,
  ...jobsTableShape,
  ...inputBucketShape,
  ...queuesShape,
  ...webhookQueueShape,
  ...webhookStaleShape,
  [RECONCILER_ENV.queuedAfterSeconds]: positiveInt(
    RECONCILER_DEFAULTS.queuedAfterSeconds,
    'Seconds a queued file waits for a worker before it is sent again.',
  ),
  [RECONCILER_ENV.uploadGraceSeconds]: positiveInt(
    RECONCILER_DEFAULTS.uploadGraceSeconds,
    'Seconds after job creation before a waiting upload is checked.',
  ),
  [RECONCILER_ENV.abandonUploadAfterSeconds]: positiveInt(
    RECONCILER_DEFAULTS.abandonUploadAfterSeconds,
    'Seconds after job creation when a file never uploaded fails.',
  ),
  [RECONCILER_ENV.maxFiles]: positiveInt(
    RECONCILER_DEFAULTS.maxFiles,
    'Files examined per status per run.',
  ),
};

/** The reconciler's environment (or the local stack's settings), parsed once at cold start. */
export function parseReconcilerEnv(source: Record<string, string | undefined>) {
  return parseEnv(reconcilerEnvShape, source);
}

export type ReconcilerConfig = ReturnType<typeof parseReconcilerEnv>;
