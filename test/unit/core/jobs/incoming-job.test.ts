import { describe, expect, it } from 'vitest';
import { createIncomingJob, incomingObjectHash } from '../../../../core/jobs/incoming-job.ts';
import { markUploaded } from '../../../../core/jobs/mark-uploaded.ts';
import {
  FakeClock,
  MemoryJobQueue,
  MemoryJobRepository,
  MemoryObjectStore,
} from './memory-ports.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SHOE = { bucket: 'inputs', key: 'incoming/shop/shoe.jpg', eTag: 'e1' };

async function setup() {
  const repo = new MemoryJobRepository();
  const inputs = new MemoryObjectStore('inputs');
  const queue = new MemoryJobQueue();
  await inputs.put(SHOE.key, new Uint8Array([1, 2]), {
    contentType: 'image/jpeg',
    metadata: { 'alpha-matting': 'true', model: 'u2netp' },
  });
  return { repo, inputs, queue, deps: { repo, inputs, queue, clock: new FakeClock() } };
}

describe('incoming/ jobs', () => {
  it('makes an object under incoming/ a job of its own, options from metadata, result under results/', async () => {
    const { repo, queue, deps } = await setup();
    const outcome = await markUploaded(SHOE, deps);
    expect(outcome.outcome).toBe('queued');
    if (outcome.outcome !== 'queued') return;
    const stored = await repo.getJob(outcome.jobId);
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
    expect(queue.sent).toEqual([{ v: 1, jobId: outcome.jobId, fileId: '0000', kind: 'image' }]);
  });

  it('gives the job a random uuid that the object does not determine', async () => {
    const first = await setup();
    const second = await setup();
    const a = await createIncomingJob(SHOE, first.deps);
    const b = await createIncomingJob(SHOE, second.deps);
    if (a.outcome !== 'queued' || b.outcome !== 'queued') throw new Error('not queued');
    expect(a.jobId).toMatch(UUID_V4);
    expect(b.jobId).toMatch(UUID_V4);
    // The same bucket, key and ETag in two deployments: nothing about the object names the job.
    expect(a.jobId).not.toBe(b.jobId);
    expect(a.jobId).not.toContain(incomingObjectHash(SHOE).slice(0, 8));
  });

  it('makes no second job, and sends no second message, for a repeated event', async () => {
    const { repo, queue, deps } = await setup();
    let drawn = 0;
    const withIds = { ...deps, newId: () => `aaaaaaaa-0000-4000-8000-00000000000${++drawn}` };
    const first = await createIncomingJob(SHOE, withIds);
    const again = await createIncomingJob(SHOE, withIds);
    expect(first).toMatchObject({
      outcome: 'queued',
      jobId: 'aaaaaaaa-0000-4000-8000-000000000001',
    });
    expect(again.outcome).toBe('ignored');
    expect([...repo.jobs.keys()]).toEqual(['aaaaaaaa-0000-4000-8000-000000000001']);
    expect(queue.sent).toHaveLength(1);
    // A new version of the object (another ETag) is a new job.
    const changed = await createIncomingJob({ ...SHOE, eTag: 'e2' }, withIds);
    expect(changed).toMatchObject({
      outcome: 'queued',
      jobId: 'aaaaaaaa-0000-4000-8000-000000000003',
    });
    expect(repo.jobs.size).toBe(2);
  });

  it('finishes the job under the recorded id when a retry follows a crash before the job was written', async () => {
    const { repo, queue, deps } = await setup();
    const recorded = 'bbbbbbbb-0000-4000-8000-000000000000';
    await repo.recordIncomingJob(incomingObjectHash(SHOE), recorded, 0);
    const outcome = await createIncomingJob(SHOE, {
      ...deps,
      newId: () => 'cccccccc-0000-4000-8000-000000000000',
    });
    expect(outcome).toMatchObject({ outcome: 'queued', jobId: recorded });
    expect((await repo.getJob(recorded))?.files).toHaveLength(1);
    expect(queue.sent.map((m) => m.jobId)).toEqual([recorded]);
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
});
