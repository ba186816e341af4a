import { describe, expect, it } from 'vitest';
import { expectExactlyOnce } from './expect-once.ts';
import { deadLetterWhileLeased } from './fault-scenarios.ts';

describe('fault injection: dead letter', () => {
  it('a dead letter arriving while the lease is live leaves the file to its worker', async () => {
    const r = await deadLetterWhileLeased();
    expectExactlyOnce(r);
    expect(r.detail['status while held']).toBe('running');
    expect(r.detail['dead-letter looks while held']).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
