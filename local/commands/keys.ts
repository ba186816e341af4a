import { Command } from 'commander';
import { createApiKey } from '../../core/jobs/api-keys.ts';
import type { KeyStoreTarget } from '../key-store-target.ts';

/**
 * `cutout keys create --name <name>`: a new API key, printed once (only its hash is stored);
 * `cutout keys list`: names, ids and dates, never keys.
 */

interface KeysFlags {
  readonly dataDir?: string;
  /** A deployed stack (`cutout-<stage>`): its keys table and usage plan, via AWS credentials. */
  readonly stack?: string;
  readonly region?: string;
}

export type OpenKeyStore = (flags: KeysFlags) => Promise<KeyStoreTarget>;

/**
 * Loaded on use: the local target brings the emulators (and node:sqlite), the deployed one the
 * AWS SDK, and neither is any business of `cutout remove`.
 */
async function openKeyStore(
  flags: KeysFlags,
  env: Record<string, string | undefined>,
): Promise<KeyStoreTarget> {
  if (flags.stack) {
    const { deployedKeyStore } = await import('./deployed-stack.ts');
    return deployedKeyStore({
      stackName: flags.stack,
      ...(flags.region ? { region: flags.region } : {}),
    });
  }
  const { localKeyStore } = await import('../key-store-target.ts');
  return localKeyStore({ env, ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
}

export function keysCommand(
  env: Record<string, string | undefined> = process.env,
  open: OpenKeyStore = (flags) => openKeyStore(flags, env),
  out: (text: string) => void = (text) => process.stdout.write(text),
): Command {
  const command = new Command('keys').description('Create and list API keys of a cutout stack');
  const withStore = async <T>(flags: KeysFlags, use: (target: KeyStoreTarget) => Promise<T>) => {
    const target = await open(flags);
    try {
      return await use(target);
    } finally {
      await target.close();
    }
  };

  command
    .command('create')
    .description('Create an API key and print it once')
    .requiredOption('--name <name>', 'who or what the key is for')
    .option('-d, --data-dir <dir>', "a local stack's data dir (default: the running local stack)")
    .option(
      '--stack <name>',
      'a deployed stack instead (e.g. cutout-dev), with your AWS credentials',
    )
    .option(
      '--region <region>',
      "the deployed stack's region (default: AWS_REGION or your profile's)",
    )
    .action(async (flags: KeysFlags & { name: string }) => {
      await withStore(flags, async (target) => {
        const created = await createApiKey({ name: flags.name }, { keys: target.store });
        out(`${created.key}\n`);
        process.stderr.write(
          `key "${created.record.name}" (${created.record.keyId}) stored in ${target.description}; it is not shown again\n`,
        );
      });
    });

  command
    .command('list')
    .description('List key names, ids and creation dates (keys themselves are not stored)')
    .option('-d, --data-dir <dir>', "a local stack's data dir (default: the running local stack)")
    .option(
      '--stack <name>',
      'a deployed stack instead (e.g. cutout-dev), with your AWS credentials',
    )
    .option(
      '--region <region>',
      "the deployed stack's region (default: AWS_REGION or your profile's)",
    )
    .action(async (flags: KeysFlags) => {
      await withStore(flags, async (target) => {
        const records = await target.store.list();
        for (const r of records.sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
          out(`${r.keyId}\t${r.createdAt}\t${r.name}\n`);
        }
      });
    });
  return command;
}
