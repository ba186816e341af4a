import { createHash } from 'node:crypto';
import { verifyApiKey } from '../../core/jobs/api-keys.ts';
import type { ApiKeyRecord, KeyStore } from '../../core/jobs/ports.ts';

/**
 * The authorizer's check (hashed keys, the same KeyStore and verifyApiKey) with API Gateway's
 * authorizer cache in front: a key verified once is trusted for `ttlMs` without a table read, so
 * a revoked or deleted key stops working within that time, as on the Lambda front door, and a
 * key with an expiry is never trusted past it (API Gateway's cache cannot do that). Only verified keys
 * are cached (an unknown key is read again each time), under the header's hash (no plaintext key
 * in memory longer than a request), and the cache holds at most `maxEntries` keys.
 */

export interface KeyCacheOptions {
  readonly keys: KeyStore;
  /** 0 reads the table on every request. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export type KeyVerifier = (authorization: string | undefined) => Promise<ApiKeyRecord>;

const DEFAULT_MAX_ENTRIES = 10_000;

export function createCachedKeyVerifier(options: KeyCacheOptions): KeyVerifier {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const cache = new Map<string, { record: ApiKeyRecord; expires: number }>();
  return async (authorization) => {
    const slot = createHash('sha256')
      .update(authorization ?? '')
      .digest('hex');
    const hit = cache.get(slot);
    if (hit && hit.expires > now()) return hit.record;
    cache.delete(slot);
    const record = await verifyApiKey(authorization, { keys: options.keys, clock: { now } });
    if (options.ttlMs > 0) {
      // A Map iterates in insertion order: the first key is the oldest entry.
      if (cache.size >= maxEntries) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      const keyExpires = record.expiresAt === undefined ? Infinity : Date.parse(record.expiresAt);
      cache.set(slot, { record, expires: Math.min(now() + options.ttlMs, keyExpires) });
    }
    return record;
  };
}
