import { createDeadLetterHandler } from './create-handler.ts';
import { parseDeadLetterEnv } from './env.ts';

export const handler = createDeadLetterHandler(parseDeadLetterEnv(process.env));
