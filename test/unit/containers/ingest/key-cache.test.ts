import { describe, expect, it } from 'vitest';
import { createCachedKeyVerifier } from '../../../../containers/ingest/key-cache.ts';
import { createApiKey, revokeApiKey } from '../../../../core/jobs/api-keys.ts';
import { FakeClock, MemoryKeyStore } from '../../core/jobs/memory-ports.ts';

/** The streaming door's key check: the authorizer's rules with its 5-minute cache. */

class CountingKeyStore extends MemoryKeyStore {
  reads = 0;
  override async findByHash(keyHash: string) {
    this.reads += 1;
    return super.findByHash(keyHash);
  }
}

describe('createCachedKeyVerifier', () => {
  it('trusts a verified key for the TTL, then reads it again (a deleted key stops working)', async () => {
    const keys = new CountingKeyStore();
    const clock = new FakeClock();
    const { key, record } = await createApiKey({ name: 'a' }, { keys });
    const verify = createCachedKeyVerifier({ keys, ttlMs: 300_000, now: () => clock.now() });
    expect((await verify(key)).keyId).toBe(record.keyId);
    expect((await verify(`Bearer ${key}`)).keyId).toBe(record.keyId);
    const reads = keys.reads;
    keys.records.clear();
    clock.advance(299_000);
    expect((await verify(key)).keyId).toBe(record.keyId);
    expect(keys.reads).toBe(reads);
    clock.advance(2_000);
    await expect(verify(key)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('does not cache refusals: a key created after a miss works at once', async () => {
    const keys = new CountingKeyStore();
    const verify = createCachedKeyVerifier({ keys, ttlMs: 300_000 });
    const wanted = 'ck_later_created_key_0123456789abcdef';
    await expect(verify(wanted)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(verify(undefined)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('missing API key'),
    });
    await createApiKey({ name: 'later', key: wanted }, { keys });
    expect((await verify(wanted)).name).toBe('later');
  });

  it('holds at most maxEntries keys, dropping the oldest', async () => {
    const keys = new CountingKeyStore();
    const made = await Promise.all(['a', 'b', 'c'].map((name) => createApiKey({ name }, { keys })));
    const verify = createCachedKeyVerifier({ keys, ttlMs: 300_000, maxEntries: 2 });
    for (const { key } of made) await verify(key);
    const reads = keys.reads;
    await verify(made[2]?.key);
    await verify(made[1]?.key);
    expect(keys.reads).toBe(reads);
    await verify(made[0]?.key);
    expect(keys.reads).toBe(reads + 1);
  });

  it('with a TTL of 0 reads the table every time', async () => {
    const keys = new CountingKeyStore();
    const { key } = await createApiKey({ name: 'a' }, { keys });
    const verify = createCachedKeyVerifier({ keys, ttlMs: 0 });
    await verify(key);
    await verify(key);
    expect(keys.reads).toBe(2);
  });

  it('never trusts a cached key past its expiry, and drops a revoked key when the TTL lapses', async () => {
    const keys = new CountingKeyStore();
    const clock = new FakeClock();
    const verify = createCachedKeyVerifier({ keys, ttlMs: 300_000, now: () => clock.now() });
    const expiring = await createApiKey(
      { name: 'e', expiresAt: new Date(clock.now() + 60_000).toISOString() },
      { keys, clock },
    );
    const revoked = await createApiKey({ name: 'r' }, { keys, clock });
    expect((await verify(expiring.key)).name).toBe('e');
    expect((await verify(revoked.key)).name).toBe('r');
    await revokeApiKey(revoked.record.keyId, { keys, clock });
    clock.advance(59_999);
    // Both still cached: the TTL is the documented revocation delay.
    expect((await verify(expiring.key)).name).toBe('e');
    expect((await verify(revoked.key)).name).toBe('r');
    clock.advance(1);
    await expect(verify(expiring.key)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    clock.advance(240_000);
    await expect(verify(revoked.key)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
