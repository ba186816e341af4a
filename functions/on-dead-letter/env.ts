import { logLevelShape } from '../../adapters/observability/log.ts';
import { awsEnvShape, jobsTableShape, parseEnv } from '../shared/env-schema.ts';

/** The dead-letter function's environment, parsed once at cold start. */
export const env = parseEnv({ ...awsEnvShape, ...logLevelShape, ...jobsTableShape }, process.env);
