import { describe, expect, it } from 'vitest';
import {
  nextPendingSince,
  type ReconcileSettings,
  reconcileStranded,
} from '../../../../core/jobs/reconcile-stranded.ts';
import { claimUpdate, completeUpdate } from '../../../../core/jobs/transitions.ts';
import { createMemoryJob, inlinePart, memoryJobPorts } from '../../../support/memory-jobs.ts';

const MINUTE = 60_000;
const SETTINGS: ReconcileSettings = {
  queuedAfterMs: 10 * MINUTE,
  uploadGraceMs: MINUTE,
  abandonUploadAfterMs: 120 * MINUTE,
  maxFiles: 100,
};
let ids = 0;
const nextId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

function setup() {
  const ports = memoryJobPorts();
  const reconcile = () => reconcileStranded({ ...ports, settings: SETTINGS });
  return { ...ports, reconcile };
}

type Setup = ReturnType<typeof setup>;

/** An uploads-mode job: its files wait for their objects. */
async function uploadJob(s: Setup, count = 1) {
  const uploads = Array.from({ length: count }, (_, i) => ({
    filename: `u${i}.png`,
    size: 4,
    content_type: 'image/png',
  }));
  return createMemoryJob(
    s,
    { fields: { convert_to: 'image-backgroundremover', uploads } },
    { jobId: nextId() },
  );
}

/** An inline job whose enqueue failed after its items were written: queued, no message. */
async function strandedInlineJob(s: Setup) {
  const failing = {
    send: async () => {
      throw new Error('SQS is down');
    },
  };
  const jobId = nextId();
  await expect(
    createMemoryJob(
      s,
      {
        fields: { convert_to: 'video-backgroundremover' },
        files: [inlinePart('clip.mp4', 'video/mp4', new Uint8Array([1]))],
      },
      { jobId, queue: failing },
    ),
  ).rejects.toThrow('SQS is down');
  return jobId;
}

describe('reconcileStranded', () => {
  it('queues an upload whose object arrived but whose event was lost', async () => {
    const s = setup();
    const jobId = await uploadJob(s);
    await s.inputs.put(`jobs/${jobId}/0000/u0.png`, new Uint8Array([1, 2, 3]));
    s.clock.advance(2 * MINUTE);
    const report = await s.reconcile();
    expect(report.uploadsQueued).toEqual([`${jobId}/0000`]);
    expect(await s.repo.getFile(jobId, '0000')).toMatchObject({ status: 'queued', size: 3 });
    expect(s.queue.sent).toEqual([{ v: 1, jobId, fileId: '0000', kind: 'image' }]);
  });

  it('leaves uploads alone inside the grace period, and ones whose object has not come', async () => {
    const s = setup();
    const early = await uploadJob(s);
    await s.inputs.put(`jobs/${early}/0000/u0.png`, new Uint8Array([1]));
    expect((await s.reconcile()).uploadsQueued).toEqual([]);
    const absent = await uploadJob(s);
    s.clock.advance(30 * MINUTE);
    const report = await s.reconcile();
    expect(report.uploadsQueued).toEqual([`${early}/0000`]);
    expect((await s.repo.getFile(absent, '0000'))?.status).toBe('waiting_upload');
    expect(report.abandoned).toEqual([]);
  });

  it('fails an upload that never came once its URL has long expired, with a reason', async () => {
    const s = setup();
    const jobId = await uploadJob(s);
    s.clock.advance(SETTINGS.abandonUploadAfterMs);
    const report = await s.reconcile();
    expect(report.abandoned).toEqual([`${jobId}/0000`]);
    const file = await s.repo.getFile(jobId, '0000');
    expect(file?.status).toBe('failed');
    expect(file?.error).toMatch(/^u0\.png: never uploaded: .*120 minutes.*URL has expired/);
    expect(s.queue.sent).toEqual([]);
  });

  it('sends a queued file again when its enqueue failed after the items were written', async () => {
    const s = setup();
    const jobId = await strandedInlineJob(s);
    s.clock.advance(SETTINGS.queuedAfterMs - 1);
    expect((await s.reconcile()).requeued).toEqual([]);
    s.clock.advance(1);
    const report = await s.reconcile();
    expect(report.requeued).toEqual([`${jobId}/0000`]);
    expect(s.queue.sent).toEqual([{ v: 1, jobId, fileId: '0000', kind: 'video' }]);
    expect((await s.repo.getFile(jobId, '0000'))?.status).toBe('queued');
  });

  it('backs off: a file sent again is not sent again before twice the threshold, then four times', async () => {
    const s = setup();
    await strandedInlineJob(s);
    s.clock.advance(SETTINGS.queuedAfterMs);
    await s.reconcile();
    expect(s.queue.sent).toHaveLength(1);
    s.clock.advance(2 * SETTINGS.queuedAfterMs - 1);
    await s.reconcile();
    expect(s.queue.sent).toHaveLength(1);
    s.clock.advance(1);
    await s.reconcile();
    expect(s.queue.sent).toHaveLength(2);
    s.clock.advance(4 * SETTINGS.queuedAfterMs - 1);
    await s.reconcile();
    expect(s.queue.sent).toHaveLength(2);
    s.clock.advance(1);
    await s.reconcile();
    expect(s.queue.sent).toHaveLength(3);
  });

  it('caps the back-off at 16 times the threshold', () => {
    expect(nextPendingSince(0, 1, 10)).toBe(10);
    expect(nextPendingSince(0, 4, 10)).toBe(150);
    expect(nextPendingSince(0, 9, 10)).toBe(150);
  });

  it('never touches a file that is running or finished', async () => {
    const s = setup();
    const jobId = await uploadJob(s, 2);
    for (const fileId of ['0000', '0001']) {
      await s.inputs.put(`jobs/${jobId}/${fileId}/u${Number(fileId)}.png`, new Uint8Array([1]));
    }
    s.clock.advance(2 * MINUTE);
    await s.reconcile();
    expect(s.queue.sent).toHaveLength(2);
    const running = await s.repo.updateFile(
      claimUpdate({ jobId, fileId: '0000' }, s.clock.now(), 5 * MINUTE, 'lease-a'),
    );
    await s.repo.updateFile(
      claimUpdate({ jobId, fileId: '0001' }, s.clock.now(), MINUTE, 'lease-b'),
    );
    await s.repo.updateFile(
      completeUpdate(
        { jobId, fileId: '0001' },
        'lease-b',
        { modelId: 'u2net', warnings: [], outputContentType: 'image/png', outputSize: 1 },
        s.clock.now(),
      ),
    );
    expect(running?.status).toBe('running');
    s.clock.advance(10 * SETTINGS.abandonUploadAfterMs);
    const report = await s.reconcile();
    expect(report).toEqual({ uploadsQueued: [], requeued: [], abandoned: [], problems: [] });
    expect(s.queue.sent).toHaveLength(2);
    expect(s.repo.pending.size).toBe(0);
    expect((await s.repo.getFile(jobId, '0000'))?.status).toBe('running');
    expect((await s.repo.getFile(jobId, '0001'))?.status).toBe('done');
  });

  it('reports a file it cannot send and carries on with the others', async () => {
    const s = setup();
    const first = await uploadJob(s);
    const second = await uploadJob(s);
    for (const jobId of [first, second]) {
      await s.inputs.put(`jobs/${jobId}/0000/u0.png`, new Uint8Array([1]));
    }
    s.clock.advance(2 * MINUTE);
    let calls = 0;
    const flaky = {
      send: async (message: { jobId: string }) => {
        calls += 1;
        if (message.jobId === first) throw new Error('throttled');
        await s.queue.send(message as never);
      },
    };
    const report = await reconcileStranded({
      repo: s.repo,
      inputs: s.inputs,
      queue: flaky,
      clock: s.clock,
      settings: SETTINGS,
    });
    expect(calls).toBe(2);
    expect(report.uploadsQueued).toEqual([`${second}/0000`]);
    expect(report.problems).toEqual([`${first}/0000: throttled`]);
    // The failed one is now queued without a message: the queued pass sends it later (the
    // other one too, as no worker took it either).
    s.clock.advance(SETTINGS.queuedAfterMs);
    const later = await s.reconcile();
    expect([...later.requeued].sort()).toEqual([`${first}/0000`, `${second}/0000`].sort());
    expect(s.queue.sent.filter((m) => m.jobId === first)).toHaveLength(1);
  });
});
