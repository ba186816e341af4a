import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CutoutError } from '../../core/errors.ts';
import type { ApiKeyLimits } from '../../core/jobs/ports.ts';

/**
 * Per-key request limits in this task's memory, in the spirit of API Gateway's usage plan: a
 * steady `rate` per second, plus `burst - rate` extra requests a key may spend at once, earned
 * back over burst/rate seconds. Each task counts its own requests, so with N tasks a key may
 * reach N times the rate (the load balancer spreads connections, not keys).
 *
 * A key with its own limits (`cutout keys create --rate/--burst/--daily-quota`) is held to them
 * instead. Its daily quota is a window of 24 hours from the key's first request in this task,
 * not a calendar day, and is counted per task like the rate.
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

  constructor(
    retryAfterSeconds: number,
    problem = `too many requests for this API key; retry in ${retryAfterSeconds} s`,
  ) {
    super('RATE_LIMITED', problem, { field: 'Authorization' });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Counts one request of `keyId`, under `own` limits when the key has them. */
export type KeyRateLimiter = (keyId: string, own?: ApiKeyLimits) => Promise<void>;

const DAY_SECONDS = 86_400;

/** What this file needs of a limiter (a plain one or a bursty pair). */
interface Limiter {
  consume(key: string): Promise<RateLimiterRes>;
}

function rateLimiter(settings: RateLimitSettings, prefix: string): Limiter {
  const steady = new RateLimiterMemory({
    keyPrefix: `${prefix}rate`,
    points: settings.rate,
    duration: 1,
  });
  return settings.burst > settings.rate
    ? new BurstyRateLimiter(
        steady,
        new RateLimiterMemory({
          keyPrefix: `${prefix}burst`,
          points: settings.burst - settings.rate,
          duration: Math.max(1, Math.ceil(settings.burst / settings.rate)),
        }),
      )
    : steady;
}

interface OwnLimiter {
  /** The limits it was built for: a key whose limits changed gets a fresh one. */
  readonly signature: string;
  readonly rate: Limiter;
  readonly daily?: { readonly limiter: RateLimiterMemory; readonly quota: number };
}

async function consume(
  limiter: Limiter,
  keyId: string,
  refusal: (retryAfterSeconds: number) => RateLimited,
): Promise<void> {
  try {
    await limiter.consume(keyId);
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      throw refusal(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
    }
    throw error;
  }
}

export function createKeyRateLimiter(settings: RateLimitSettings): KeyRateLimiter {
  const shared = rateLimiter(settings, '');
  const own = new Map<string, OwnLimiter>();
  const ownLimiter = (keyId: string, limits: ApiKeyLimits): OwnLimiter => {
    const signature = JSON.stringify([limits.rateLimit, limits.burstLimit, limits.dailyQuota]);
    const known = own.get(keyId);
    if (known?.signature === signature) return known;
    const rate = limits.rateLimit ?? settings.rate;
    const built: OwnLimiter = {
      signature,
      rate:
        limits.rateLimit === undefined && limits.burstLimit === undefined
          ? shared
          : rateLimiter(
              { rate, burst: limits.burstLimit ?? Math.max(rate, settings.burst) },
              `${keyId}:`,
            ),
      ...(limits.dailyQuota === undefined
        ? {}
        : {
            daily: {
              limiter: new RateLimiterMemory({
                keyPrefix: `${keyId}:day`,
                points: limits.dailyQuota,
                duration: DAY_SECONDS,
              }),
              quota: limits.dailyQuota,
            },
          }),
    };
    own.set(keyId, built);
    return built;
  };
  return async (keyId, limits) => {
    const chosen = limits ? ownLimiter(keyId, limits) : undefined;
    await consume(chosen?.rate ?? shared, keyId, (after) => new RateLimited(after));
    const daily = chosen?.daily;
    if (daily) {
      await consume(
        daily.limiter,
        keyId,
        (after) =>
          new RateLimited(
            after,
            `this API key's daily quota of ${daily.quota} requests is used up; retry in ${after} s`,
          ),
      );
    }
  };
}
