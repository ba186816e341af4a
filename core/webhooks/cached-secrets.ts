import { type Clock, systemClock } from '../jobs/ports.ts';
import type { WebhookSecrets } from './ports.ts';

/**
 * A key's signing secret kept for `ttlMs` after it is read, so a burst of deliveries for one
 * key reads the keys table once, not once each. The price: a rotated secret reaches deliveries
 * within `ttlMs`. Only found secrets are kept (a missing key is asked again next time), and at
 * most `maxEntries` keys, the oldest dropped first.
 */
export function cachedWebhookSecrets(
  inner: WebhookSecrets,
  options: { readonly ttlMs: number; readonly maxEntries?: number; readonly clock?: Clock },
): WebhookSecrets {
  const clock = options.clock ?? systemClock;
  const maxEntries = options.maxEntries ?? 1000;
  const kept = new Map<string, { readonly secret: string; readonly until: number }>();
  return {
    async secretFor(keyId) {
      const hit = kept.get(keyId);
      if (hit && hit.until > clock.now()) return hit.secret;
      kept.delete(keyId);
      const secret = await inner.secretFor(keyId);
      if (secret !== undefined && options.ttlMs > 0) {
        // A Map iterates in insertion order: the first entry is the oldest.
        if (kept.size >= maxEntries) {
          const oldest = kept.keys().next().value;
          if (oldest !== undefined) kept.delete(oldest);
        }
        kept.set(keyId, { secret, until: clock.now() + options.ttlMs });
      }
      return secret;
    },
  };
}
