import { describe, expect, it } from 'vitest';
import { createKeyRateLimiter, RateLimited } from '../../../../containers/ingest/rate-limit.ts';

describe('createKeyRateLimiter', () => {
  it('lets a key spend its burst, then refuses it with a retry time; other keys are unaffected', async () => {
    const limit = createKeyRateLimiter({ rate: 2, burst: 5 });
    for (let i = 0; i < 5; i++) await limit('key_a');
    const refused = await limit('key_a').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RateLimited);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', field: 'Authorization' });
    expect((refused as RateLimited).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await expect(limit('key_b')).resolves.toBeUndefined();
  });

  it('without a burst above the rate allows exactly the rate per second', async () => {
    const limit = createKeyRateLimiter({ rate: 3, burst: 3 });
    for (let i = 0; i < 3; i++) await limit('k');
    await expect(limit('k')).rejects.toBeInstanceOf(RateLimited);
  });

  it("holds a key with its own limits to them, and other keys to the door's", async () => {
    const limit = createKeyRateLimiter({ rate: 3, burst: 3 });
    for (let i = 0; i < 5; i++) await limit('key_own', { rateLimit: 5, burstLimit: 5 });
    await expect(limit('key_own', { rateLimit: 5, burstLimit: 5 })).rejects.toBeInstanceOf(
      RateLimited,
    );
    for (let i = 0; i < 3; i++) await limit('key_plain');
    await expect(limit('key_plain')).rejects.toBeInstanceOf(RateLimited);
  });

  it('refuses a key past its daily quota with a message that names the quota', async () => {
    const limit = createKeyRateLimiter({ rate: 100, burst: 100 });
    for (let i = 0; i < 2; i++) await limit('key_q', { dailyQuota: 2 });
    const refused = await limit('key_q', { dailyQuota: 2 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimited);
    expect((refused as RateLimited).message).toMatch(/daily quota of 2 requests is used up/);
    // A day's window: the retry time is hours away, not a second.
    expect((refused as RateLimited).retryAfterSeconds).toBeGreaterThan(3600);
    // A raised quota takes effect with a fresh count.
    await expect(limit('key_q', { dailyQuota: 5 })).resolves.toBeUndefined();
  });
});
