import { describe, expect, it } from 'vitest';
import { expectExactlyOnce } from './expect-once.ts';
import { sigtermMidVideo } from './fault-scenarios.ts';

describe('fault injection: shutdown', () => {
  it('SIGTERM mid-video with a drain deadline shorter than the video', async () => {
    const r = await sigtermMidVideo();
    expectExactlyOnce(r);
    expect(r.detail['first attempt aborted']).toBe('yes');
    // Released by the stopping worker, or already claimed by the next one (attempt 2).
    expect(['released', 'held by attempt 2']).toContain(r.detail['lease after hand-back']);
    expect(r.detail.attempts).toBe(2);
  }, 120_000);
});
