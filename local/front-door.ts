import { z } from 'zod';
import type { AwsClients } from '../adapters/aws/clients.ts';
import type { Log } from '../adapters/observability/log.ts';
import type { MetricsWriter } from '../adapters/observability/metrics.ts';
import { INGEST_ENV, parseIngestEnv } from '../containers/ingest/env.ts';
import { startIngestService } from '../containers/ingest/ingest-service.ts';
import { parseConfig } from '../core/config/contract.ts';
import { admittedConvert } from './admitted-convert.ts';
import { startApiServer } from './api-server.ts';
import type { LambdaHandlers } from './lambda-handlers.ts';
import type { WebAssets } from './web-assets.ts';

/**
 * Which front door the local stack serves the API through. `streaming` (the default) is the
 * streaming ingest service (containers/ingest), the same code as the opt-in AWS front door: any
 * file size up to the per-kind caps. `lambda` emulates API Gateway + Lambda, the default AWS
 * deployment, with its limits and errors (a body over the inline limit gets a 413).
 */

export const FRONT_DOORS = ['streaming', 'lambda'] as const;
export type FrontDoor = (typeof FRONT_DOORS)[number];

export const FRONT_DOOR_ENV = 'CUTOUT_FRONT_DOOR';

export const frontDoorShape = {
  [FRONT_DOOR_ENV]: z
    .enum(FRONT_DOORS)
    .default('streaming')
    .describe(
      '`npm start` only: `streaming` serves the streaming front door (any file size), `lambda` emulates API Gateway + Lambda with its limits.',
    ),
};

/** @throws CutoutError CONFIGURATION naming CUTOUT_FRONT_DOOR for a value that is not a door */
export function parseFrontDoor(env: Readonly<Record<string, string | undefined>>): FrontDoor {
  return parseConfig(frontDoorShape, env)[FRONT_DOOR_ENV];
}

/** The largest limits the ingest schema allows: locally, in effect none. */
const LOCAL_UNTHROTTLED = { rate: 10_000, burst: 5_000 } as const;

function userOr(
  settings: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
): string {
  const value = settings[name]?.trim();
  return value ? value : String(fallback);
}

export interface FrontDoorOptions {
  readonly door: FrontDoor;
  readonly port: number;
  readonly host: string | undefined;
  /** What each function's environment would hold (the user's settings and the emulators'). */
  readonly settings: Readonly<Record<string, string | undefined>>;
  readonly handlers: LambdaHandlers;
  readonly clients: AwsClients;
  readonly log: Log;
  readonly metrics?: MetricsWriter;
  readonly web: WebAssets;
  readonly devKey: string;
  /** Checked before either door accepts a convert (the disk budget); throwing refuses it. */
  readonly admit?: () => Promise<void>;
  /** The lambda door's request lines (`--verbose`); the streaming door logs through `log`. */
  readonly requestLog?: (line: string) => void;
}

export interface RunningFrontDoor {
  readonly door: FrontDoor;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the chosen door on the stack's port, loopback unless `host` says otherwise. */
export async function startFrontDoor(options: FrontDoorOptions): Promise<RunningFrontDoor> {
  const host = options.host ?? '127.0.0.1';
  if (options.door === 'lambda') {
    const server = await startApiServer({
      // The disk budget refuses a convert before its handler writes anything, as on the
      // streaming door.
      handlers: options.admit
        ? { ...options.handlers, convert: admittedConvert(options.handlers.convert, options.admit) }
        : options.handlers,
      port: options.port,
      host,
      web: options.web,
      devKey: options.devKey,
      ...(options.requestLog ? { log: options.requestLog } : {}),
    });
    return { door: 'lambda', url: server.url, port: server.port, close: () => server.close() };
  }
  const config = parseIngestEnv({
    // One user on one machine: no per-key throttling (the lambda door's emulation has none
    // either) unless the user sets a limit.
    ...options.settings,
    [INGEST_ENV.rateLimit]: userOr(options.settings, INGEST_ENV.rateLimit, LOCAL_UNTHROTTLED.rate),
    [INGEST_ENV.burstLimit]: userOr(
      options.settings,
      INGEST_ENV.burstLimit,
      LOCAL_UNTHROTTLED.burst,
    ),
    // The keys table is in this process: read it on every request, so `cutout keys revoke`
    // takes effect at once (INGEST_KEY_CACHE_SECONDS brings AWS's cache back).
    [INGEST_ENV.keyCacheSeconds]: userOr(options.settings, INGEST_ENV.keyCacheSeconds, 0),
    [INGEST_ENV.port]: String(options.port),
    [INGEST_ENV.host]: host,
    [INGEST_ENV.webPage]: 'true',
  });
  const server = await startIngestService(config, {
    clients: options.clients,
    log: options.log.with({ function: 'ingest' }),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    web: options.web,
    devKey: options.devKey,
    ...(options.admit ? { admit: options.admit } : {}),
  });
  return {
    door: 'streaming',
    url: server.url,
    port: server.port,
    // Stopping the stack cuts uploads in flight (they clean up) rather than waiting on them.
    close: async () => {
      await server.close(0);
    },
  };
}
