import { createDeliverWebhookHandler } from './create-handler.ts';
import { parseDeliverWebhookEnv } from './env.ts';

export const handler = createDeliverWebhookHandler(parseDeliverWebhookEnv(process.env));
