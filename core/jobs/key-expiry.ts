import { invalidField } from '../errors.ts';

/**
 * When a key made now with `--expires <value>` stops working. A date alone (`2027-01-31`) keeps
 * the key working through that UTC day; a full ISO instant with its offset is taken as given;
 * `30d`, `12h` or `2w` count from `now`. A key must expire in the future, or it would be born
 * refused.
 * @throws CutoutError INVALID_REQUEST naming `expires` for anything else
 */
export function parseKeyExpiry(value: string, now: number): string {
  const text = value.trim();
  const at = expiryInstant(text, now);
  if (at === undefined || !Number.isFinite(at)) {
    throw invalidField(
      'expires',
      `"${value}" is not a date (2027-01-31), an ISO instant (2027-01-31T12:00:00Z) or a duration (30d, 12h, 2w)`,
    );
  }
  if (at <= now) {
    throw invalidField('expires', `"${value}" is not in the future`);
  }
  return new Date(at).toISOString();
}

const DAY_MS = 86_400_000;
const DURATION_MS: Readonly<Record<string, number>> = { h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

// Ten years: far enough for any real key, near enough that the date stays printable.
const MAX_DURATION_MS = 3650 * DAY_MS;

function expiryInstant(text: string, now: number): number | undefined {
  const duration = /^(\d{1,6})([hdw])$/.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * (DURATION_MS[duration[2] ?? ''] ?? Number.NaN);
    return ms > MAX_DURATION_MS ? undefined : now + ms;
  }
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const start = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    // Date.UTC rolls 2027-02-30 over into March: a date that does not round-trip is not one.
    if (new Date(start).toISOString().slice(0, 10) !== text) return undefined;
    return start + DAY_MS;
  }
  // An instant needs its offset: a bare local time would depend on the machine's time zone.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    return Date.parse(text);
  }
  return undefined;
}

/** Whether a stored key is refused at `now`: revoked, or past its expiry. */
export function keyRefusedAt(
  record: { readonly expiresAt?: string; readonly revokedAt?: string },
  now: number,
): boolean {
  if (record.revokedAt !== undefined) return true;
  return record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now;
}
