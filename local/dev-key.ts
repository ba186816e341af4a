import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApiKey, generateApiKey } from '../core/jobs/api-keys.ts';
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

/** @throws CutoutError INVALID_REQUEST when a pinned key is not 20-128 characters */
export async function ensureDevKey(
  keys: KeyStore,
  dataDir: string,
  pinned: string | undefined,
): Promise<string> {
  const key = pinned ?? (await readKept(dataDir)) ?? generateApiKey();
  await createApiKey({ name: DEV_KEY_NAME, key }, { keys });
  if (pinned === undefined)
    await writeFile(join(dataDir, DEV_KEY_FILE), `${key}\n`, { mode: 0o600 });
  return key;
}
