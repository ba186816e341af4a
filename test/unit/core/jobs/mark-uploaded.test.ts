import { describe, expect, it } from 'vitest';
import { createJob } from '../../../../core/jobs/create-job.ts';
import { incomingJobId } from '../../../../core/jobs/incoming-job.ts';
import { markUploaded } from '../../../../core/jobs/mark-uploaded.ts';
import {
  FakeClock,
  MemoryJobQueue,
  MemoryJobRepository,
  MemoryObjectStore,
} from './memory-ports.ts';

const JOB_ID = '11111111-2222-4333-8444-555555555555';

async function setup() {
  const repo = new MemoryJobRepository();
  const inputs = new MemoryObjectStore('inputs');
  const queue = new MemoryJobQueue();
  const clock = new FakeClock();
  await createJob(
    {
      apiKeyId: 'k',
      fields: {
        convert_to: 'image-backgroundremover',
        uploads: [{ filename: 'a b.png', size: 4, content_type: 'image/png' }],
      },
      files: [],
    },
    { repo, inputs, queue, clock, newId: () => JOB_ID },
  );
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

  it('makes an object under incoming/ a job of its own, options from metadata, result under results/', async () => {
    const { repo, inputs, queue, deps } = await setup();
    await inputs.put('incoming/shop/shoe.jpg', new Uint8Array([1, 2]), {
      contentType: 'image/jpeg',
      metadata: { 'alpha-matting': 'true', model: 'u2netp' },
    });
    const outcome = await markUploaded(
      { bucket: 'inputs', key: 'incoming/shop/shoe.jpg', eTag: 'e1' },
      deps,
    );
    expect(outcome.outcome).toBe('queued');
    const jobId = incomingJobId({ bucket: 'inputs', key: 'incoming/shop/shoe.jpg', eTag: 'e1' });
    const stored = await repo.getJob(jobId);
    expect(stored?.job.source).toBe('incoming');
    expect(stored?.job.options).toMatchObject({
      kind: 'image',
      model: 'u2netp',
      alphaMatting: { enabled: true },
    });
    expect(stored?.files[0]).toMatchObject({
      inputKey: 'incoming/shop/shoe.jpg',
      outputKey: 'results/shop/shoe.png',
    });
    // A repeated event for the same object makes no second job.
    await markUploaded({ bucket: 'inputs', key: 'incoming/shop/shoe.jpg', eTag: 'e1' }, deps);
    expect(repo.jobs.size).toBe(2);
    expect(new Set(queue.sent.map((m) => m.jobId))).toEqual(new Set([jobId]));
  });

  it('records bad metadata as a failed incoming job with the reason', async () => {
    const { repo, inputs, deps } = await setup();
    await inputs.put('incoming/x.png', new Uint8Array([1]), {
      contentType: 'image/png',
      metadata: { alpha_fg: '999' },
    });
    const outcome = await markUploaded({ bucket: 'inputs', key: 'incoming/x.png' }, deps);
    expect(outcome.outcome).toBe('failed');
    if (outcome.outcome === 'failed') {
      const stored = await repo.getJob(outcome.jobId);
      expect(stored?.files[0]?.status).toBe('failed');
      expect(stored?.job.errors[0]).toMatch(/alpha_fg/);
    }
  });

  it('derives a version-4-shaped uuid from the object', () => {
    const id = incomingJobId({ bucket: 'b', key: 'incoming/a.png', eTag: 'x' });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(incomingJobId({ bucket: 'b', key: 'incoming/a.png', eTag: 'y' })).not.toBe(id);
  });
});
