import { logLevelShape } from '../../adapters/observability/log.ts';
import { awsEnvShape, keysTableShape, parseEnv } from '../shared/env-schema.ts';

export const authorizerEnvShape = { ...awsEnvShape, ...logLevelShape, ...keysTableShape };

/** The authorizer's environment (or the local stack's settings), parsed once at cold start. */
export function parseAuthorizerEnv(source: Record<string, string | undefined>) {
  return parseEnv(authorizerEnvShape, source);
}

export type AuthorizerConfig = ReturnType<typeof parseAuthorizerEnv>;
