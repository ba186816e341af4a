import { outboundEnvShape } from '../../adapters/http/outbound-env.ts';
import { logLevelShape } from '../../adapters/observability/log.ts';
import {
  awsEnvShape,
  jobsTableShape,
  keysTableShape,
  outputBucketShape,
  parseEnv,
} from '../shared/env-schema.ts';
import { webhookDeliveryShape } from '../shared/webhook-env.ts';

/**
 * The delivery function's environment. The outbound guard's settings default to AWS's (https
 * only, public addresses only); the local stack sets http and loopback explicitly.
 */
export const deliverWebhookEnvShape = {
  ...awsEnvShape,
  ...logLevelShape,
  ...jobsTableShape,
  ...keysTableShape,
  ...outputBucketShape,
  ...webhookDeliveryShape,
  ...outboundEnvShape({ allowHttp: false }),
};

/** Parsed once at cold start (or from the local stack's settings). */
export function parseDeliverWebhookEnv(source: Record<string, string | undefined>) {
  return parseEnv(deliverWebhookEnvShape, source);
}

export type DeliverWebhookConfig = ReturnType<typeof parseDeliverWebhookEnv>;
