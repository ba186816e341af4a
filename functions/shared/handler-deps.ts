import { type AwsClients, awsClients } from '../../adapters/aws/clients.ts';
import type { Log, LogLevel } from '../../adapters/observability/log.ts';
import type { MetricsWriter } from '../../adapters/observability/metrics.ts';
import { type AwsEnv, clientConfig } from './env-schema.ts';
import type { HandlerOptions } from './middleware.ts';

/**
 * What a handler factory may be given besides its configuration. Deployed, nothing: clients
 * come from the configuration's region and endpoints, logs and metrics go to stdout. The local
 * stack passes its own clients (with the emulators' credentials, so nothing is read from
 * `process.env`), its log and a metrics writer.
 */
export interface HandlerDeps {
  readonly clients: AwsClients;
  readonly log: Log;
  readonly metrics: MetricsWriter;
}

export function clientsFor(config: AwsEnv, deps: Partial<HandlerDeps>): AwsClients {
  return deps.clients ?? awsClients(clientConfig(config));
}

/** The middleware options of one function: its service name, level, and any log or metrics given. */
export function observed(
  service: string,
  config: { readonly LOG_LEVEL: LogLevel },
  deps: Partial<HandlerDeps>,
): HandlerOptions {
  return {
    service,
    level: config.LOG_LEVEL,
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  };
}
