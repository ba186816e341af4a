import { describe, expect, it } from 'vitest';
import {
  checkSignature,
  generateWebhookSecret,
  signatureHeader,
} from '../../../../core/webhooks/webhook-signature.ts';

const SECRET = 'whsec_test-secret';
const BODY = '{"id":"evt_1","type":"job.finished"}';

describe('webhook signatures', () => {
  it('signs <t>.<body> with HMAC-SHA256 so a receiver can check it', () => {
    const header = signatureHeader(SECRET, 1_700_000_000, BODY);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(checkSignature(SECRET, header, BODY, 300, 1_700_000_100)).toEqual({
      ok: true,
      timestamp: 1_700_000_000,
    });
  });

  it('matches an HMAC-SHA256 computed elsewhere (Python hmac over "1.x" with key "key")', () => {
    expect(signatureHeader('key', 1, 'x')).toBe(
      't=1,v1=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec',
    );
  });

  it('refuses a changed body, another secret, a replay outside the window and a malformed header', () => {
    const header = signatureHeader(SECRET, 1_700_000_000, BODY);
    expect(checkSignature(SECRET, header, `${BODY} `, 300, 1_700_000_000).ok).toBe(false);
    expect(checkSignature('whsec_other', header, BODY, 300, 1_700_000_000).ok).toBe(false);
    expect(checkSignature(SECRET, header, BODY, 300, 1_700_000_301)).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance window',
    });
    expect(checkSignature(SECRET, 'v1=abc', BODY, 300, 1_700_000_000).ok).toBe(false);
    expect(checkSignature(SECRET, undefined, BODY, 300, 1_700_000_000).ok).toBe(false);
  });

  it('accepts any of several v1 entries (a secret rotation)', () => {
    const good = signatureHeader(SECRET, 5, BODY).split(',')[1];
    const header = `t=5,v1=${'0'.repeat(64)},${good}`;
    expect(checkSignature(SECRET, header, BODY, 10, 5).ok).toBe(true);
  });

  it('generates distinct prefixed secrets', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});
