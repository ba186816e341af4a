import { describe, expect, it } from 'vitest';
import { expectExactlyOnce } from './expect-once.ts';
import { everyMessageThreeTimes } from './fault-scenarios.ts';

describe('fault injection: duplicates', () => {
  it('every job message and upload event delivered three times, in random order', async () => {
    const r = await everyMessageThreeTimes();
    expectExactlyOnce(r);
    // The upload events (inline files' racing the convert handler, re-POSTs, repeats) queue
    // nothing that the convert handler or the first upload event did not already.
    expect(r.detail['messages the system enqueued']).toBe(r.files);
    expect(r.detail['processor runs']).toBe(r.files);
    // A copy of a file being processed is acknowledged, never counted toward the DLQ.
    expect(r.detail['messages dead-lettered']).toBe(0);
  }, 180_000);
});
