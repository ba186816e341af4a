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
});
