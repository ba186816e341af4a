import { describe, expect, it } from 'vitest';
import { expectExactlyOnce } from './expect-once.ts';
import {
  deadLetterWhileLeased,
  everyMessageThreeTimes,
  sigtermMidVideo,
  strandedFiles,
} from './fault-scenarios.ts';

/**
 * One fault per scenario, each on a local stack of its own; the handlers are built per stack,
 * so the scenarios share this file and run one after another.
 */

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

describe('fault injection: dead letter', () => {
  it('a dead letter arriving while the lease is live leaves the file to its worker', async () => {
    const r = await deadLetterWhileLeased();
    expectExactlyOnce(r);
    expect(r.detail['status while held']).toBe('running');
    expect(r.detail['dead-letter looks while held']).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

describe('fault injection: stranded files', () => {
  it('lost upload events and failed enqueues end done through the scheduled reconciler', async () => {
    const reports = await strandedFiles();
    for (const r of reports) expectExactlyOnce(r);
  }, 120_000);
});
