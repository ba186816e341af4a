import { describe, expect, it } from 'vitest';
import { cachedWebhookSecrets } from '../../../../core/webhooks/cached-secrets.ts';
import type { WebhookSecrets } from '../../../../core/webhooks/ports.ts';

function countingSecrets(secrets: Record<string, string>) {
  const reads: string[] = [];
  const inner: WebhookSecrets = {
    async secretFor(keyId) {
      reads.push(keyId);
      return secrets[keyId];
    },
  };
  return { inner, reads, secrets };
}

describe('cached webhook secrets', () => {
  it('reads a key once per ttl, then again, and sees a rotation after the ttl', async () => {
    const store = countingSecrets({ key_a: 'whsec_one' });
    let now = 1_000_000;
    const cached = cachedWebhookSecrets(store.inner, { ttlMs: 60_000, clock: { now: () => now } });
    expect(await cached.secretFor('key_a')).toBe('whsec_one');
    store.secrets.key_a = 'whsec_two';
    now += 59_999;
    expect(await cached.secretFor('key_a')).toBe('whsec_one');
    expect(store.reads).toEqual(['key_a']);
    now += 1;
    expect(await cached.secretFor('key_a')).toBe('whsec_two');
    expect(store.reads).toEqual(['key_a', 'key_a']);
  });

  it('does not keep a missing key, and drops the oldest entry when full', async () => {
    const store = countingSecrets({ key_a: 'a', key_b: 'b' });
    const cached = cachedWebhookSecrets(store.inner, {
      ttlMs: 60_000,
      maxEntries: 1,
      clock: { now: () => 0 },
    });
    expect(await cached.secretFor('key_gone')).toBeUndefined();
    store.secrets.key_gone = 'late';
    expect(await cached.secretFor('key_gone')).toBe('late');
    await cached.secretFor('key_a');
    await cached.secretFor('key_a');
    expect(store.reads).toEqual(['key_gone', 'key_gone', 'key_a']);
  });
});
