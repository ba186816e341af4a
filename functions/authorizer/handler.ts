import { createAuthorizerHandler } from './create-handler.ts';
import { parseAuthorizerEnv } from './env.ts';

export const handler = createAuthorizerHandler(parseAuthorizerEnv(process.env));
