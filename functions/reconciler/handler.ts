import { createReconcilerHandler } from './create-handler.ts';
import { parseReconcilerEnv } from './env.ts';

export const handler = createReconcilerHandler(parseReconcilerEnv(process.env));
