import { resolve } from 'node:path';
import { createAwsClients } from '../adapters/aws/clients.ts';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store.ts';
import { DynamoWebhookSecretAdmin } from '../adapters/aws/dynamo-webhook-secrets.ts';
import { CutoutError } from '../core/errors.ts';
import type { KeyStore } from '../core/jobs/ports.ts';
import type { WebhookSecretAdmin } from '../core/webhooks/ports.ts';
import { startEmulators } from './emulators.ts';
import { findRunningStack } from './stack-state.ts';

/**
 * Which keys table `cutout keys` writes to. Today: a running local stack (found through its
 * state file), or a stopped stack's data dir opened directly. A deployed stack's table is one more
 * target of the same shape.
 */

export interface KeyStoreTarget {
  readonly store: KeyStore;
  /** The keys' webhook signing secrets (absent: this target cannot reach them). */
  readonly webhookSecrets?: WebhookSecretAdmin;
  /** Where the keys live, for the command's output. */
  readonly description: string;
  close(): Promise<void>;
}

export interface KeyStoreTargetOptions {
  /** A local stack's `--data-dir`; the most recently started local stack when absent. */
  readonly dataDir?: string;
  readonly env: Record<string, string | undefined>;
}

// The emulators accept any credentials, but the SDK insists on finding some.
const LOCAL_CREDENTIALS = { accessKeyId: 'cutout-local', secretAccessKey: 'cutout-local' };

/** @throws CutoutError INVALID_REQUEST when there is no local stack to write to */
export async function localKeyStore(options: KeyStoreTargetOptions): Promise<KeyStoreTarget> {
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const running = await findRunningStack(dataDir, options.env);
  if (running) {
    const clients = createAwsClients({
      region: running.region,
      endpoints: running.endpoints,
      credentials: LOCAL_CREDENTIALS,
    });
    return {
      store: new DynamoKeyStore(clients.dynamo, running.keysTable),
      webhookSecrets: new DynamoWebhookSecretAdmin(clients.dynamo, running.keysTable),
      description: `the local stack at ${running.url} (data: ${running.dataDir})`,
      close: async () => clients.dynamo.destroy(),
    };
  }
  if (!dataDir) {
    throw new CutoutError(
      'INVALID_REQUEST',
      'no local stack is running: start one with `npm start`, or name a stopped one with --data-dir',
      { field: 'data-dir' },
    );
  }
  // Its LevelDB is not locked by anyone: open the stopped stack's data in this process.
  const emulators = await startEmulators({ dataDir });
  const clients = createAwsClients({
    region: emulators.region,
    endpoints: emulators.endpoints,
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    store: new DynamoKeyStore(clients.dynamo, emulators.resources.keysTable),
    webhookSecrets: new DynamoWebhookSecretAdmin(clients.dynamo, emulators.resources.keysTable),
    description: `the stopped local stack's data in ${dataDir}`,
    close: async () => {
      clients.dynamo.destroy();
      await emulators.stop();
    },
  };
}
