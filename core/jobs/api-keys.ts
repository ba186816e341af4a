import { createHash, randomBytes } from 'node:crypto';
import { CutoutError, invalidField } from '../errors.ts';
import { type ApiKeyRecord, type Clock, type KeyStore, systemClock } from './ports.ts';

/**
 * API keys: shown once at creation, stored only as sha256 hashes. A key is 32 random bytes,
 * so a plain (unsalted) hash is enough: there is nothing to guess.
 */

const KEY_PREFIX = 'ck_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The public id of a key (logs, usage plans, job items): a prefix of its hash. */
export function keyIdFor(keyHash: string): string {
  return `key_${keyHash.slice(0, 16)}`;
}

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The key in an `Authorization` header: `<key>` or `Bearer <key>`. */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  const value = header?.trim() ?? '';
  const key = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '').trim() : value;
  return key === '' ? undefined : key;
}

export interface CreatedApiKey {
  /** The plaintext key; not stored anywhere, show it once. */
  readonly key: string;
  readonly record: ApiKeyRecord;
}

/**
 * Creates and stores a key. `key` lets the local stack pin one (`CUTOUT_API_KEY`).
 * @throws CutoutError INVALID_REQUEST for an empty name or a key shorter than 20 characters
 */
export async function createApiKey(
  input: { name: string; key?: string },
  deps: { keys: KeyStore; clock?: Clock },
): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (name === '' || name.length > 100) throw invalidField('name', 'must be 1-100 characters');
  const key = input.key ?? generateApiKey();
  // API Gateway's usage-plan keys need 20-128 characters; the same bound keeps keys unguessable.
  if (key.length < 20 || key.length > 128 || /\s/.test(key)) {
    throw invalidField('key', 'must be 20-128 characters without spaces');
  }
  const keyHash = hashApiKey(key);
  const record: ApiKeyRecord = {
    keyHash,
    keyId: keyIdFor(keyHash),
    name,
    createdAt: new Date((deps.clock ?? systemClock).now()).toISOString(),
  };
  await deps.keys.put(record);
  return { key, record };
}

/**
 * The stored key an `Authorization` header names.
 * @throws CutoutError UNAUTHORIZED when the header is missing or the key unknown
 */
export async function verifyApiKey(
  authorization: string | undefined,
  deps: { keys: KeyStore },
): Promise<ApiKeyRecord> {
  const key = keyFromAuthorization(authorization);
  if (!key) {
    throw new CutoutError(
      'UNAUTHORIZED',
      'Authorization: missing API key (send "Authorization: <key>")',
      {
        field: 'Authorization',
      },
    );
  }
  const record = await deps.keys.findByHash(hashApiKey(key));
  if (!record)
    throw new CutoutError('UNAUTHORIZED', 'Authorization: unknown API key', {
      field: 'Authorization',
    });
  return record;
}
