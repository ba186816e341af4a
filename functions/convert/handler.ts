import { createConvertHandler } from './create-handler.ts';
import { parseConvertEnv } from './env.ts';

export const handler = createConvertHandler(parseConvertEnv(process.env));
