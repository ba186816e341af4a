import { Command } from 'commander';
import { CutoutError, invalidField, isCutoutError } from '../../core/errors.ts';
import { checkKeyLimits, createApiKey, revokeApiKey } from '../../core/jobs/api-keys.ts';
import { parseKeyExpiry } from '../../core/jobs/key-expiry.ts';
import type { ApiKeyLimits, ApiKeyRecord } from '../../core/jobs/ports.ts';
import type { KeyStoreTarget } from '../key-store-target.ts';

/**
 * `cutout keys create --name <name> [--expires 30d] [--rate N --burst N --daily-quota N]`: a new
 * API key, printed once (only its hash is stored); `cutout keys list`: ids, dates, state and
 * names, never keys; `cutout keys revoke <id>`: the key is refused from then on (within the
 * key cache time, docs/operations.md).
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

/** A `--rate`-style flag: a whole number in the limit's range, the error naming the flag. */
function limitFlag(flag: string, limit: keyof ApiKeyLimits) {
  return (value: string): number => {
    const n = Number(value);
    try {
      checkKeyLimits({ [limit]: n });
    } catch (error) {
      if (isCutoutError(error)) throw invalidField(flag, `"${value}" ${error.problem}`);
      throw error;
    }
    return n;
  };
}

function limitsOf(flags: {
  rate?: number;
  burst?: number;
  dailyQuota?: number;
}): ApiKeyLimits | undefined {
  const limits: ApiKeyLimits = {
    ...(flags.rate === undefined ? {} : { rateLimit: flags.rate }),
    ...(flags.burst === undefined ? {} : { burstLimit: flags.burst }),
    ...(flags.dailyQuota === undefined ? {} : { dailyQuota: flags.dailyQuota }),
  };
  return Object.keys(limits).length > 0 ? limits : undefined;
}

function describeLimits(limits: ApiKeyLimits | undefined): string {
  if (!limits) return '-';
  const parts = [
    limits.rateLimit === undefined ? undefined : `${limits.rateLimit}/s`,
    limits.burstLimit === undefined ? undefined : `burst ${limits.burstLimit}`,
    limits.dailyQuota === undefined ? undefined : `${limits.dailyQuota}/day`,
  ];
  return parts.filter((p) => p !== undefined).join(',');
}

/** One `keys list` row; the name last, as it may hold spaces. */
export function keyListRow(r: ApiKeyRecord): string {
  return [
    r.keyId,
    r.createdAt,
    r.expiresAt ?? '-',
    r.revokedAt ?? '-',
    describeLimits(r.limits),
    r.name,
  ].join('\t');
}

export const KEY_LIST_HEADER = ['ID', 'CREATED', 'EXPIRES', 'REVOKED', 'LIMITS', 'NAME'].join('\t');

export function keysCommand(
  env: Record<string, string | undefined> = process.env,
  open: OpenKeyStore = (flags) => openKeyStore(flags, env),
  out: (text: string) => void = (text) => process.stdout.write(text),
): Command {
  const command = new Command('keys').description(
    'Create, list and revoke API keys of a cutout stack',
  );
  const withStore = async <T>(flags: KeysFlags, use: (target: KeyStoreTarget) => Promise<T>) => {
    const target = await open(flags);
    try {
      return await use(target);
    } finally {
      await target.close();
    }
  };

  targetOptions(command.command('create'))
    .description('Create an API key and print it once')
    .requiredOption('--name <name>', 'who or what the key is for')
    .option(
      '--expires <when>',
      'when the key stops working: a date (2027-01-31, valid through that UTC day), an ISO instant with offset, or 30d / 12h / 2w from now',
    )
    .option(
      '--rate <n>',
      "the key's own steady requests per second",
      limitFlag('rate', 'rateLimit'),
    )
    .option('--burst <n>', "the key's own burst of requests", limitFlag('burst', 'burstLimit'))
    .option(
      '--daily-quota <n>',
      "the key's own requests per day",
      limitFlag('daily-quota', 'dailyQuota'),
    )
    .action(
      async (
        flags: KeysFlags & {
          name: string;
          expires?: string;
          rate?: number;
          burst?: number;
          dailyQuota?: number;
        },
      ) => {
        // Checked before the store opens: a bad flag starts no emulator and calls no AWS API.
        const expiresAt =
          flags.expires === undefined ? undefined : parseKeyExpiry(flags.expires, Date.now());
        const limits = limitsOf(flags);
        await withStore(flags, async (target) => {
          const created = await createApiKey(
            {
              name: flags.name,
              ...(expiresAt === undefined ? {} : { expiresAt }),
              ...(limits === undefined ? {} : { limits }),
            },
            { keys: target.store },
          );
          out(`${created.key}\n`);
          const until = expiresAt === undefined ? '' : `, expires ${expiresAt}`;
          process.stderr.write(
            `key "${created.record.name}" (${created.record.keyId}${until}) stored in ${target.description}; it is not shown again\n`,
          );
          const secret = await target.webhookSecrets?.secretFor(created.record.keyId);
          if (secret) {
            process.stderr.write(
              `webhook signing secret: ${secret} (again: cutout keys webhook-secret ${created.record.keyId})\n`,
            );
          }
        });
      },
    );

  targetOptions(command.command('revoke'))
    .description(
      'Revoke an API key by its id (from `cutout keys list`); it is refused from then on',
    )
    .argument('<id>', 'the key id, key_ and 16 hex digits')
    .action(async (id: string, flags: KeysFlags) => {
      await withStore(flags, async (target) => {
        const record = await revokeApiKey(id, { keys: target.store });
        out(`${keyListRow(record)}\n`);
        process.stderr.write(
          `key "${record.name}" (${record.keyId}) revoked in ${target.description}; a running service may accept it until its key cache lapses (5 minutes on AWS)\n`,
        );
      });
    });

  targetOptions(command.command('webhook-secret'))
    .description("Print the key's webhook signing secret (made now if it has none), or --rotate it")
    .argument('<id>', 'the key id, key_ and 16 hex digits')
    .option('--rotate', 'replace the secret; events are signed with the new one from now on')
    .action(async (id: string, flags: KeysFlags & { rotate?: boolean }) => {
      const keyId = id.trim();
      if (!/^key_[0-9a-f]{16}$/.test(keyId)) {
        throw invalidField(
          'id',
          `"${id}" is not a key id (key_ and 16 hex digits, see \`cutout keys list\`)`,
        );
      }
      await withStore(flags, async (target) => {
        const secrets = target.webhookSecrets;
        if (!secrets) throw invalidField('id', `${target.description} has no webhook secrets`);
        const secret = flags.rotate ? await secrets.rotate(keyId) : await secrets.secretFor(keyId);
        if (!secret) {
          throw new CutoutError('NOT_FOUND', `no key has the id ${keyId}`, {
            field: 'id',
            subject: 'id',
          });
        }
        out(`${secret}\n`);
        if (flags.rotate) {
          process.stderr.write(
            `webhook signing secret of ${keyId} replaced in ${target.description}; events are signed with it from now on\n`,
          );
        }
      });
    });

  targetOptions(command.command('list'))
    .description(
      'List key ids, dates (created, expires, revoked), limits and names (keys themselves are not stored)',
    )
    .action(async (flags: KeysFlags) => {
      await withStore(flags, async (target) => {
        const records = await target.store.list();
        out(`${KEY_LIST_HEADER}\n`);
        for (const r of records.sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
          out(`${keyListRow(r)}\n`);
        }
      });
    });
  return command;
}

/** Where a keys command acts: a local stack's data dir, or a deployed stack. */
function targetOptions(command: Command): Command {
  return command
    .option('-d, --data-dir <dir>', "a local stack's data dir (default: the running local stack)")
    .option(
      '--stack <name>',
      'a deployed stack instead (e.g. cutout-dev), with your AWS credentials',
    )
    .option(
      '--region <region>',
      "the deployed stack's region (default: AWS_REGION or your profile's)",
    );
}
