import { expect } from 'vitest';
import { describeReport, type FaultReport } from './fault-scenarios.ts';

/** Every file done exactly once, one output each, none failed, no message left behind. */
export function expectExactlyOnce(r: FaultReport): void {
  console.log(describeReport(r));
  expect(r.files).toBeGreaterThan(0);
  expect(r.done).toBe(r.files);
  expect(r.failed).toBe(0);
  expect(r.outputs).toBe(r.files);
  expect(r.finishedTwice).toBe(0);
  expect(r.messagesLeft).toBe(0);
}
