import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApiKey, generateApiKey, hashApiKey } from '../core/jobs/api-keys.ts';
import { keyRefusedAt } from '../core/jobs/key-expiry.ts';
import type { KeyStore } from '../core/jobs/ports.ts';

/**
 * The local stack's development API key. `CUTOUT_API_KEY` pins it (scripts, CI); otherwise one
 * is generated once per data dir and kept beside the data so a persisted stack keeps its key.
 * Only its hash goes into the keys table, as for every key.
 */

export const DEV_KEY_NAME = 'development';
const DEV_KEY_FILE = 'dev-api-key';

async function readKept(dataDir: string): Promise<string | undefined> {
  try {
    const text = (await readFile(join(dataDir, DEV_KEY_FILE), 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * The kept key unless `cutout keys revoke` (or an expiry) retired it: re-storing it would bring
 * a key the user meant to kill back to life, so a retired one is replaced by a new key.
 */
async function usableKept(keys: KeyStore, dataDir: string): Promise<string | undefined> {
  const kept = await readKept(dataDir);
  if (kept === undefined) return undefined;
  const record = await keys.findByHash(hashApiKey(kept));
  return record && keyRefusedAt(record, Date.now()) ? undefined : kept;
}

/** @throws CutoutError INVALID_REQUEST when a pinned key is not 20-128 characters */
export async function ensureDevKey(
  keys: KeyStore,
  dataDir: string,
  pinned: string | undefined,
): Promise<string> {
  const key = pinned ?? (await usableKept(keys, dataDir)) ?? generateApiKey();
  await createApiKey({ name: DEV_KEY_NAME, key }, { keys });
  if (pinned === undefined)
    await writeFile(join(dataDir, DEV_KEY_FILE), `${key}\n`, { mode: 0o600 });
  return key;
}
