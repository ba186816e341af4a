import { createResultsHandler } from './create-handler.ts';
import { parseResultsEnv } from './env.ts';

export const handler = createResultsHandler(parseResultsEnv(process.env));
