import { logLevelShape } from '../../adapters/observability/log.ts';
import { awsEnvShape, keysTableShape, parseEnv } from '../shared/env-schema.ts';

/** The authorizer's environment, parsed once at cold start. */
export const env = parseEnv({ ...awsEnvShape, ...logLevelShape, ...keysTableShape }, process.env);
