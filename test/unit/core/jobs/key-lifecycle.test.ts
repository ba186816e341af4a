import { describe, expect, it } from 'vitest';
import {
  createApiKey,
  REFUSED_KEY_PROBLEM,
  revokeApiKey,
  verifyApiKey,
} from '../../../../core/jobs/api-keys.ts';
import { keyRefusedAt, parseKeyExpiry } from '../../../../core/jobs/key-expiry.ts';
import { FakeClock, MemoryKeyStore } from './memory-ports.ts';

/** Keys that expire, are revoked, or carry their own limits (issue 14 §3). */

const NOW = Date.parse('2026-12-03T18:00:00Z');

describe('parseKeyExpiry', () => {
  it('keeps a key made with a date working through that UTC day', () => {
    expect(parseKeyExpiry('2027-01-31', NOW)).toBe('2027-02-01T00:00:00.000Z');
    expect(parseKeyExpiry('2028-02-29', NOW)).toBe('2028-03-01T00:00:00.000Z');
  });

  it('counts 12h, 30d and 2w from now', () => {
    expect(parseKeyExpiry('12h', NOW)).toBe('2026-12-04T06:00:00.000Z');
    expect(parseKeyExpiry('30d', NOW)).toBe('2027-01-02T18:00:00.000Z');
    expect(parseKeyExpiry(' 2w ', NOW)).toBe('2026-12-17T18:00:00.000Z');
  });

  it('takes an ISO instant with its offset as given', () => {
    expect(parseKeyExpiry('2027-01-31T12:00:00+02:00', NOW)).toBe('2027-01-31T10:00:00.000Z');
    expect(parseKeyExpiry('2027-01-31T12:00Z', NOW)).toBe('2027-01-31T12:00:00.000Z');
  });

  it.each([
    ['2027-02-30', 'not a date'],
    ['2027-01-31T12:00:00', 'not a date'],
    ['30m', 'not a date'],
    ['0d', 'not in the future'],
    ['2026-12-02', 'not in the future'],
    ['2026-12-03T17:59:59Z', 'not in the future'],
    ['99999w', 'not a date'],
    ['soon', 'not a date'],
  ])('refuses %s naming expires (%s)', (value, problem) => {
    expect(() => parseKeyExpiry(value, NOW)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', field: 'expires' }),
    );
    expect(() => parseKeyExpiry(value, NOW)).toThrow(new RegExp(`^expires: .*${problem}`));
  });

  it('refuses a key at its expiry instant, and any revoked key', () => {
    const expiresAt = '2026-12-03T18:00:00.000Z';
    expect(keyRefusedAt({ expiresAt }, NOW - 1)).toBe(false);
    expect(keyRefusedAt({ expiresAt }, NOW)).toBe(true);
    expect(keyRefusedAt({}, NOW)).toBe(false);
    expect(keyRefusedAt({ revokedAt: '2026-12-03T17:00:00.000Z' }, NOW - 10 ** 9)).toBe(true);
  });
});

describe('createApiKey with an expiry and limits', () => {
  it('stores the expiry and limits with the hash, never the key', async () => {
    const keys = new MemoryKeyStore();
    const clock = new FakeClock(NOW);
    const { key, record } = await createApiKey(
      {
        name: 'ci',
        expiresAt: '2027-01-01T00:00:00Z',
        limits: { rateLimit: 2, dailyQuota: 1000 },
      },
      { keys, clock },
    );
    expect(record).toMatchObject({
      name: 'ci',
      createdAt: '2026-12-03T18:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
      limits: { rateLimit: 2, dailyQuota: 1000 },
    });
    expect(JSON.stringify([...keys.records.values()])).not.toContain(key);
  });

  it('stores no limits or expiry attributes for a plain key (as before)', async () => {
    const keys = new MemoryKeyStore();
    const { record } = await createApiKey({ name: 'plain' }, { keys });
    expect(Object.keys(record).sort()).toEqual(['createdAt', 'keyHash', 'keyId', 'name']);
  });

  it('refuses an expiry in the past and a limit out of range, naming them', async () => {
    const keys = new MemoryKeyStore();
    const clock = new FakeClock(NOW);
    await expect(
      createApiKey({ name: 'x', expiresAt: '2026-01-01T00:00:00Z' }, { keys, clock }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'expires' });
    await expect(
      createApiKey({ name: 'x', limits: { burstLimit: 0 } }, { keys, clock }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'burstLimit' });
    await expect(
      createApiKey({ name: 'x', limits: { rateLimit: 1.5 } }, { keys, clock }),
    ).rejects.toMatchObject({ field: 'rateLimit' });
    expect(keys.records.size).toBe(0);
  });
});

describe('verifyApiKey for expired and revoked keys', () => {
  it('accepts a key until its expiry, then refuses it with the unknown-key message', async () => {
    const keys = new MemoryKeyStore();
    const clock = new FakeClock(NOW);
    const { key } = await createApiKey(
      { name: 'short', expiresAt: '2026-12-03T19:00:00Z' },
      { keys, clock },
    );
    clock.advance(3_599_999);
    await expect(verifyApiKey(key, { keys, clock })).resolves.toMatchObject({ name: 'short' });
    clock.advance(1);
    const expired = await verifyApiKey(key, { keys, clock }).catch((e: unknown) => e);
    const unknown = await verifyApiKey('ck_never-issued-0123456789abcdef', { keys, clock }).catch(
      (e: unknown) => e,
    );
    expect(expired).toMatchObject({ code: 'UNAUTHORIZED', field: 'Authorization' });
    // The same words for both: the answer never says a key once existed.
    expect((expired as Error).message).toBe(`Authorization: ${REFUSED_KEY_PROBLEM}`);
    expect((unknown as Error).message).toBe((expired as Error).message);
  });

  it('refuses a revoked key; revoking again keeps the first time', async () => {
    const keys = new MemoryKeyStore();
    const clock = new FakeClock(NOW);
    const { key, record } = await createApiKey({ name: 'r' }, { keys, clock });
    const other = await createApiKey({ name: 'other' }, { keys, clock });
    clock.advance(60_000);
    const revoked = await revokeApiKey(record.keyId, { keys, clock });
    expect(revoked.revokedAt).toBe('2026-12-03T18:01:00.000Z');
    await expect(verifyApiKey(key, { keys, clock })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: `Authorization: ${REFUSED_KEY_PROBLEM}`,
    });
    await expect(verifyApiKey(other.key, { keys, clock })).resolves.toMatchObject({
      name: 'other',
    });
    clock.advance(60_000);
    expect((await revokeApiKey(` ${record.keyId} `, { keys, clock })).revokedAt).toBe(
      '2026-12-03T18:01:00.000Z',
    );
  });

  it('says when no key has the id, and refuses what is not an id', async () => {
    const keys = new MemoryKeyStore();
    await expect(revokeApiKey('key_0123456789abcdef', { keys })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      field: 'id',
      message: 'id: no key has the id key_0123456789abcdef',
    });
    await expect(revokeApiKey('ck_secret', { keys })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'id',
    });
  });
});
