import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signing of webhook bodies: `Cutout-Signature: t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256 under the API key's signing secret over `<t>.<raw body>`. The timestamp inside the
 * signed text lets a receiver refuse a replayed request after its tolerance window.
 */

export const SIGNATURE_HEADER = 'Cutout-Signature';
export const EVENT_ID_HEADER = 'Cutout-Event-Id';
export const EVENT_TYPE_HEADER = 'Cutout-Event-Type';
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, URL-safe base64, with a recognisable prefix. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

export function signatureHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The header value for `body` signed at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureHex(secret, timestamp, body)}`;
}

export type SignatureCheck =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks a received header against the raw body: well formed, a `v1` that matches (compared in
 * constant time; any of several `v1` entries may, as during a secret rotation), and a timestamp
 * within `toleranceS` of `nowS`.
 */
export function checkSignature(
  secret: string,
  header: string | undefined,
  body: string,
  toleranceS: number,
  nowS: number,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'no signature header' };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) {
    return { ok: false, reason: 'malformed signature header' };
  }
  if (Math.abs(nowS - timestamp) > toleranceS) {
    return { ok: false, reason: 'timestamp outside the tolerance window' };
  }
  const expected = Buffer.from(signatureHex(secret, timestamp, body), 'hex');
  const matches = candidates.some((candidate) =>
    timingSafeEqual(expected, Buffer.from(candidate, 'hex')),
  );
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'signature does not match' };
}
