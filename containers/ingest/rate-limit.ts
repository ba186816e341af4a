import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CutoutError } from '../../core/errors.ts';

/**
 * Per-key request limits in this task's memory, in the spirit of API Gateway's usage plan: a
 * steady `rate` per second, plus `burst - rate` extra requests a key may spend at once, earned
 * back over burst/rate seconds. Each task counts its own requests, so with N tasks a key may
 * reach N times the rate (the load balancer spreads connections, not keys).
 */

export interface RateLimitSettings {
  /** Steady requests per second per key. */
  readonly rate: number;
  /** Requests a key may send at once. */
  readonly burst: number;
}

/** A key over its limit: the error to answer with and when to come back. */
export class RateLimited extends CutoutError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many requests for this API key; retry in ${retryAfterSeconds} s`, {
      field: 'Authorization',
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export type KeyRateLimiter = (keyId: string) => Promise<void>;

export function createKeyRateLimiter(settings: RateLimitSettings): KeyRateLimiter {
  const steady = new RateLimiterMemory({ keyPrefix: 'rate', points: settings.rate, duration: 1 });
  const limiter =
    settings.burst > settings.rate
      ? new BurstyRateLimiter(
          steady,
          new RateLimiterMemory({
            keyPrefix: 'burst',
            points: settings.burst - settings.rate,
            duration: Math.max(1, Math.ceil(settings.burst / settings.rate)),
          }),
        )
      : steady;
  return async (keyId) => {
    try {
      await limiter.consume(keyId);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        throw new RateLimited(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      }
      throw error;
    }
  };
}
