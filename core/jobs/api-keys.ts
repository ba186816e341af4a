import { createHash, randomBytes } from 'node:crypto';
import { CutoutError, invalidField } from '../errors.ts';
import { keyRefusedAt } from './key-expiry.ts';
import {
  type ApiKeyLimits,
  type ApiKeyRecord,
  type Clock,
  type KeyStore,
  systemClock,
} from './ports.ts';

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

/** The bounds of API Gateway's usage plans (and the streaming door's limiter, which shares them). */
const LIMIT_BOUNDS: Readonly<Record<keyof ApiKeyLimits, readonly [number, number]>> = {
  rateLimit: [1, 10_000],
  burstLimit: [1, 5_000],
  dailyQuota: [1, 100_000_000],
};

/** @throws CutoutError INVALID_REQUEST naming the limit that is not a whole number in range */
export function checkKeyLimits(limits: ApiKeyLimits): ApiKeyLimits {
  const checked: Record<string, number> = {};
  for (const [name, [min, max]] of Object.entries(LIMIT_BOUNDS)) {
    const value = limits[name as keyof ApiKeyLimits];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw invalidField(name, `must be a whole number from ${min} to ${max}`);
    }
    checked[name] = value;
  }
  return checked;
}

/**
 * Creates and stores a key. `key` lets the local stack pin one (`CUTOUT_API_KEY`).
 * @throws CutoutError INVALID_REQUEST for an empty name, a key shorter than 20 characters, an
 *   expiry not after now or a limit out of range
 */
export async function createApiKey(
  input: { name: string; key?: string; expiresAt?: string; limits?: ApiKeyLimits },
  deps: { keys: KeyStore; clock?: Clock },
): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (name === '' || name.length > 100) throw invalidField('name', 'must be 1-100 characters');
  const key = input.key ?? generateApiKey();
  // API Gateway's usage-plan keys need 20-128 characters; the same bound keeps keys unguessable.
  if (key.length < 20 || key.length > 128 || /\s/.test(key)) {
    throw invalidField('key', 'must be 20-128 characters without spaces');
  }
  const now = (deps.clock ?? systemClock).now();
  if (input.expiresAt !== undefined && !(Date.parse(input.expiresAt) > now)) {
    throw invalidField('expires', `${input.expiresAt} is not a future instant`);
  }
  const limits = input.limits ? checkKeyLimits(input.limits) : {};
  const keyHash = hashApiKey(key);
  const record: ApiKeyRecord = {
    keyHash,
    keyId: keyIdFor(keyHash),
    name,
    createdAt: new Date(now).toISOString(),
    ...(input.expiresAt === undefined
      ? {}
      : { expiresAt: new Date(Date.parse(input.expiresAt)).toISOString() }),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
  await deps.keys.put(record);
  return { key, record };
}

/**
 * Revokes the key with this id (`cutout keys revoke`); revoking twice keeps the first time.
 * @throws CutoutError NOT_FOUND naming `id` when no key has it (the caller holds the table, so
 *   saying so leaks nothing)
 */
export async function revokeApiKey(
  keyId: string,
  deps: { keys: KeyStore; clock?: Clock },
): Promise<ApiKeyRecord> {
  const id = keyId.trim();
  if (!/^key_[0-9a-f]{16}$/.test(id)) {
    throw invalidField(
      'id',
      `"${keyId}" is not a key id (key_ and 16 hex digits, see \`cutout keys list\`)`,
    );
  }
  const revokedAt = new Date((deps.clock ?? systemClock).now()).toISOString();
  const record = await deps.keys.revoke(id, revokedAt);
  if (!record) {
    throw new CutoutError('NOT_FOUND', `no key has the id ${id}`, { field: 'id', subject: 'id' });
  }
  return record;
}

/**
 * One answer for an unknown, revoked and expired key: the caller learns that this key does not
 * work, never whether it once did (the same holds for API Gateway's cached 401 body).
 */
export const REFUSED_KEY_PROBLEM = 'unknown, revoked or expired API key';

/**
 * The stored key an `Authorization` header names, if it works at the clock's time.
 * @throws CutoutError UNAUTHORIZED when the header is missing, or the key unknown, revoked or
 *   expired (one message for the three)
 */
export async function verifyApiKey(
  authorization: string | undefined,
  deps: { keys: KeyStore; clock?: Clock },
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
  if (!record || keyRefusedAt(record, (deps.clock ?? systemClock).now())) {
    throw new CutoutError('UNAUTHORIZED', `Authorization: ${REFUSED_KEY_PROBLEM}`, {
      field: 'Authorization',
    });
  }
  return record;
}
