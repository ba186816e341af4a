import { describe, expect, it } from 'vitest';
import { markUploaded } from '../../../../core/jobs/mark-uploaded.ts';
import {
  createMemoryJob,
  inlinePart,
  JOB_ID,
  memoryJobPorts,
} from '../../../support/memory-jobs.ts';

/** An uploads-mode job whose one file, `a b.png` (4 bytes), waits for its object. */
async function setup() {
  const ports = memoryJobPorts();
  await createMemoryJob(ports, {
    fields: {
      convert_to: 'image-backgroundremover',
      uploads: [{ filename: 'a b.png', size: 4, content_type: 'image/png' }],
    },
  });
  const { repo, inputs, queue, clock } = ports;
  return { repo, inputs, queue, deps: { repo, inputs, queue, clock } };
}

describe('markUploaded', () => {
  it('queues the awaited file and enqueues it', async () => {
    const { repo, queue, deps } = await setup();
    const key = `jobs/${JOB_ID}/0000/a b.png`;
    const outcome = await markUploaded({ bucket: 'inputs', key, size: 4 }, deps);
    expect(outcome).toEqual({ outcome: 'queued', jobId: JOB_ID, fileId: '0000' });
    expect((await repo.getFile(JOB_ID, '0000'))?.status).toBe('queued');
    expect(queue.sent).toEqual([{ v: 1, jobId: JOB_ID, fileId: '0000', kind: 'image' }]);
  });

  it('ignores keys that belong to no file and files already past queued', async () => {
    const { repo, queue, deps } = await setup();
    expect(
      (await markUploaded({ bucket: 'inputs', key: `jobs/${JOB_ID}/0007/x.png` }, deps)).outcome,
    ).toBe('ignored');
    expect((await markUploaded({ bucket: 'inputs', key: 'elsewhere/x.png' }, deps)).outcome).toBe(
      'ignored',
    );
    const file = await repo.getFile(JOB_ID, '0000');
    if (file) repo.files.set(`${JOB_ID}/0000`, { ...file, status: 'done' });
    expect(
      (await markUploaded({ bucket: 'inputs', key: `jobs/${JOB_ID}/0000/a b.png`, size: 4 }, deps))
        .outcome,
    ).toBe('ignored');
    expect(queue.sent).toHaveLength(0);
  });

  it('fails an upload bigger than declared (what the policy enforces on S3)', async () => {
    const { repo, deps } = await setup();
    const outcome = await markUploaded(
      { bucket: 'inputs', key: `jobs/${JOB_ID}/0000/a b.png`, size: 5 },
      deps,
    );
    expect(outcome.outcome).toBe('failed');
    expect((await repo.getFile(JOB_ID, '0000'))?.error).toContain('more than the 4 declared');
  });

  it('enqueues a file once however many events arrive (retried POST, repeated notification)', async () => {
    const { repo, queue, deps } = await setup();
    const key = `jobs/${JOB_ID}/0000/a b.png`;
    const outcomes = await Promise.all([
      markUploaded({ bucket: 'inputs', key, size: 4 }, deps),
      markUploaded({ bucket: 'inputs', key, size: 4 }, deps),
    ]);
    outcomes.push(await markUploaded({ bucket: 'inputs', key, size: 4 }, deps));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['ignored', 'ignored', 'queued']);
    expect(queue.sent).toHaveLength(1);
    expect((await repo.getFile(JOB_ID, '0000'))?.status).toBe('queued');
  });

  it('quietly ignores the event of an inline file, before and after its items exist', async () => {
    const ports = memoryJobPorts();
    const { repo, inputs, queue } = ports;
    const key = `jobs/${JOB_ID}/0000/cat.png`;
    // Before: the object is there, the items are not yet.
    const early = await markUploaded({ bucket: 'inputs', key, size: 3 }, { repo, inputs, queue });
    expect(early).toMatchObject({ outcome: 'ignored' });
    await createMemoryJob(ports, {
      fields: { convert_to: 'image-backgroundremover' },
      files: [inlinePart('cat.png', 'image/png', 3)],
    });
    expect(queue.sent).toHaveLength(1);
    // After: the file is queued by its job; the event must not queue it a second time.
    const late = await markUploaded({ bucket: 'inputs', key, size: 3 }, { repo, inputs, queue });
    expect(late).toEqual({ outcome: 'ignored', reason: 'file 0000 is already queued' });
    expect(queue.sent).toHaveLength(1);
  });
});
