import { logLevelShape } from '../../adapters/observability/log.ts';
import { awsEnvShape, jobsTableShape, parseEnv } from '../shared/env-schema.ts';
import { webhookQueueShape } from '../shared/webhook-env.ts';

export const deadLetterEnvShape = {
  ...awsEnvShape,
  ...logLevelShape,
  ...jobsTableShape,
  ...webhookQueueShape,
};

/** The dead-letter function's environment (or the local stack's settings), parsed once at cold start. */
export function parseDeadLetterEnv(source: Record<string, string | undefined>) {
  return parseEnv(deadLetterEnvShape, source);
}

export type DeadLetterConfig = ReturnType<typeof parseDeadLetterEnv>;
