import { describe, expect, it } from 'vitest';
import { createJob } from '../../../../core/jobs/create-job.ts';
import {
  failDeadLetter,
  MAX_DEAD_LETTER_RECHECK_SECONDS,
} from '../../../../core/jobs/fail-dead-letter.ts';
import { getFile } from '../../../../core/jobs/get-file.ts';
import { getResults } from '../../../../core/jobs/get-results.ts';
import {
  claimUpdate,
  completeUpdate,
  failUpdate,
  releaseUpdate,
  renewLeaseUpdate,
} from '../../../../core/jobs/transitions.ts';
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
  const outputs = new MemoryObjectStore('outputs');
  const clock = new FakeClock();
  const file = (filename: string) => ({
    field: 'files',
    filename,
    contentType: 'image/png',
    data: new Uint8Array([1]),
  });
  await createJob(
    {
      apiKeyId: 'k',
      fields: { convert_to: 'image-backgroundremover' },
      files: [file('a.png'), file('my photo.png'), file('c.png')],
    },
    { repo, inputs, queue: new MemoryJobQueue(), clock, newId: () => JOB_ID },
  );
  return { repo, outputs, clock };
}

describe('getResults', () => {
  it('always has the seed keys, with urls on the API host and presigned download_urls', async () => {
    const { repo, outputs, clock } = await setup();
    const pending = await getResults(JOB_ID, { repo, outputs, clock });
    expect(pending).toMatchObject({
      files: [],
      failed: [],
      finished: false,
      queue_count: 3,
      errors: [],
      status: 'queued',
    });

    const claim = claimUpdate({ jobId: JOB_ID, fileId: '0001' }, clock.now(), 1000, 't');
    await repo.updateFile(claim);
    await repo.updateFile(
      completeUpdate(
        claim,
        't',
        { modelId: 'u2net', warnings: [], outputContentType: 'image/png', outputSize: 3 },
        clock.now(),
      ),
    );
    await repo.updateFile(
      failUpdate({ jobId: JOB_ID, fileId: '0000' }, 'a.png: not an image', clock.now()),
    );
    await repo.updateFile(
      failUpdate({ jobId: JOB_ID, fileId: '0002' }, 'c.png: broken', clock.now()),
    );

    const done = await getResults(JOB_ID.toUpperCase(), { repo, outputs, clock });
    expect(Object.keys(done)).toEqual(
      expect.arrayContaining(['files', 'failed', 'finished', 'queue_count', 'errors']),
    );
    expect(done.finished).toBe(true);
    expect(done.queue_count).toBe(0);
    expect(done.files).toEqual([
      expect.objectContaining({
        url: `/v1/files/${JOB_ID}/my%20photo.png`,
        filename: 'my photo.png',
        download_url: `https://outputs.example/jobs/${JOB_ID}/my photo.png?expires=900`,
        progress: 1,
      }),
    ]);
    expect(done.failed).toEqual([
      { filename: 'a.png', error: 'a.png: not an image' },
      { filename: 'c.png', error: 'c.png: broken' },
    ]);
    expect(done.status).toBe('done');
  });

  it('answers 404-coded errors for unknown, malformed and expired uuids, 400 for none', async () => {
    const { repo, outputs, clock } = await setup();
    await expect(
      getResults('99999999-2222-4333-8444-555555555555', { repo, outputs, clock }),
    ).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
    });
    await expect(getResults('conversion_uuid', { repo, outputs, clock })).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
    });
    await expect(getResults(undefined, { repo, outputs, clock })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'uuid',
    });
    clock.advance(8 * 86_400_000);
    await expect(getResults(JOB_ID, { repo, outputs, clock })).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
    });
  });
});

describe('getFile', () => {
  it('returns bytes under the limit, a redirect above it, and 409 before it is done', async () => {
    const { repo, outputs, clock } = await setup();
    await expect(
      getFile(JOB_ID, 'a.png', { repo, outputs, clock, maxInlineBytes: 10 }),
    ).rejects.toMatchObject({
      code: 'JOB_CONFLICT',
    });
    const claim = claimUpdate({ jobId: JOB_ID, fileId: '0000' }, clock.now(), 1000, 't');
    await repo.updateFile(claim);
    await repo.updateFile(
      completeUpdate(
        claim,
        't',
        { modelId: 'u2net', warnings: [], outputContentType: 'image/png', outputSize: 3 },
        clock.now(),
      ),
    );
    await outputs.put(`jobs/${JOB_ID}/a.png`, new Uint8Array([7, 8, 9]));
    expect(await getFile(JOB_ID, 'a.png', { repo, outputs, clock, maxInlineBytes: 10 })).toEqual({
      kind: 'bytes',
      data: new Uint8Array([7, 8, 9]),
      contentType: 'image/png',
      filename: 'a.png',
    });
    expect(
      await getFile(JOB_ID, 'a.png', { repo, outputs, clock, maxInlineBytes: 2 }),
    ).toMatchObject({ kind: 'redirect' });
    await expect(
      getFile(JOB_ID, '../a.png', { repo, outputs, clock, maxInlineBytes: 2 }),
    ).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
    });
  });
});

describe('failDeadLetter', () => {
  it('fails an unfinished file with the last retryable reason and the attempt count', async () => {
    const { repo, clock } = await setup();
    const claim = claimUpdate({ jobId: JOB_ID, fileId: '0000' }, clock.now(), 1000, 't');
    await repo.updateFile(claim);
    // The worker records what follows the file's name; the reason names it once.
    await repo.updateFile(releaseUpdate(claim, 't', 'model u2net unavailable', clock.now()));
    const outcome = await failDeadLetter(
      { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'image' },
      { repo, clock },
    );
    expect(outcome).toEqual({
      outcome: 'failed',
      reason: 'a.png: gave up after 1 attempt: model u2net unavailable',
    });
    expect((await repo.getFile(JOB_ID, '0000'))?.status).toBe('failed');
  });

  it('explains a file that never reported back, and leaves done files alone', async () => {
    const { repo, clock } = await setup();
    const outcome = await failDeadLetter(
      { v: 1, jobId: JOB_ID, fileId: '0001', kind: 'image' },
      { repo, clock },
    );
    expect(outcome.outcome === 'failed' && outcome.reason).toMatch(
      /worker stopped before finishing/,
    );
    const claim = claimUpdate({ jobId: JOB_ID, fileId: '0002' }, clock.now(), 1000, 't');
    await repo.updateFile(claim);
    await repo.updateFile(
      completeUpdate(
        claim,
        't',
        { modelId: 'u2net', warnings: [], outputContentType: 'image/png', outputSize: 1 },
        clock.now(),
      ),
    );
    expect(
      (
        await failDeadLetter(
          { v: 1, jobId: JOB_ID, fileId: '0002', kind: 'image' },
          { repo, clock },
        )
      ).outcome,
    ).toBe('ignored');
    expect((await repo.getFile(JOB_ID, '0002'))?.status).toBe('done');
  });

  it('defers a file held under a live lease, and fails it once the lease has ended unfinished', async () => {
    const { repo, clock } = await setup();
    const message = { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'image' } as const;
    await repo.updateFile(claimUpdate(message, clock.now(), 90_000, 't'));
    clock.advance(30_000);
    expect(await failDeadLetter(message, { repo, clock })).toEqual({
      outcome: 'deferred',
      reason: 'a worker holds a.png until 2026-01-01T00:01:30.000Z',
      retryInSeconds: 61,
    });
    expect((await repo.getFile(JOB_ID, '0000'))?.status).toBe('running');
    // A very long lease is looked at again within the cap, not at its end.
    await repo.updateFile(renewLeaseUpdate(message, 't', clock.now(), 5 * 3_600_000));
    const far = await failDeadLetter(message, { repo, clock });
    expect(far.outcome === 'deferred' && far.retryInSeconds).toBe(MAX_DEAD_LETTER_RECHECK_SECONDS);
    // The holder vanished: its lease runs out with the file still running.
    clock.advance(5 * 3_600_000 + 1);
    const outcome = await failDeadLetter(message, { repo, clock });
    expect(outcome.outcome).toBe('failed');
    expect((await repo.getFile(JOB_ID, '0000'))?.status).toBe('failed');
  });

  it('never fails a file that a redelivery claimed between the read and the write', async () => {
    const { repo, clock } = await setup();
    const message = { v: 1, jobId: JOB_ID, fileId: '0001', kind: 'image' } as const;
    const racing = {
      ...repo,
      getFile: (jobId: string, fileId: string) => repo.getFile(jobId, fileId),
      updateFile: async (update: Parameters<typeof repo.updateFile>[0]) => {
        // A worker claims the file just before the dead letter's write lands.
        await repo.updateFile(claimUpdate(message, clock.now(), 60_000, 'w'));
        return repo.updateFile(update);
      },
    } as unknown as typeof repo;
    const outcome = await failDeadLetter(message, { repo: racing, clock });
    expect(outcome.outcome).toBe('deferred');
    expect((await repo.getFile(JOB_ID, '0001'))?.status).toBe('running');
  });
});
