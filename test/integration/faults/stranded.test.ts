import { describe, it } from 'vitest';
import { expectExactlyOnce } from './expect-once.ts';
import { strandedFiles } from './fault-scenarios.ts';

describe('fault injection: stranded files', () => {
  it('lost upload events and failed enqueues end done through the scheduled reconciler', async () => {
    const reports = await strandedFiles();
    for (const r of reports) expectExactlyOnce(r);
  }, 120_000);
});
