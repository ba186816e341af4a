import { createFilesHandler } from './create-handler.ts';
import { parseFilesEnv } from './env.ts';

export const handler = createFilesHandler(parseFilesEnv(process.env));
