import { createUploadHandler } from './create-handler.ts';
import { parseUploadEnv } from './env.ts';

export const handler = createUploadHandler(parseUploadEnv(process.env));
