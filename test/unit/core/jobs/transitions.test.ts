import { describe, expect, it } from 'vitest';
import {
  canTransition,
  FILE_STATUSES,
  type FileRecord,
  isClaimable,
} from '../../../../core/jobs/job.ts';
import {
  applyFileUpdate,
  claimUpdate,
  completeUpdate,
  deadLetterFailUpdate,
  failUpdate,
  markQueuedUpdate,
  progressUpdate,
  releaseUpdate,
  renewLeaseUpdate,
} from '../../../../core/jobs/transitions.ts';

function file(overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    jobId: 'j',
    fileId: '0000',
    inputName: 'a.jpg',
    outputName: 'a.png',
    inputKey: 'jobs/j/0000/a.jpg',
    outputKey: 'jobs/j/a.png',
    contentType: 'image/jpeg',
    size: 10,
    status: 'queued',
    progress: 0,
    attempts: 0,
    leaseUntil: 0,
    leaseToken: undefined,
    error: undefined,
    lastError: undefined,
    modelId: undefined,
    outputContentType: undefined,
    outputSize: undefined,
    warnings: [],
    createdAt: 'c',
    updatedAt: 'c',
    expiresAt: 1,
    ...overrides,
  };
}

const result = { modelId: 'u2net', warnings: [], outputContentType: 'image/png', outputSize: 5 };

describe('file transitions', () => {
  it('never leaves a finished state', () => {
    for (const to of FILE_STATUSES) {
      expect(canTransition('done', to)).toBe(false);
      expect(canTransition('failed', to)).toBe(false);
    }
    expect(canTransition('queued', 'waiting_upload')).toBe(false);
    expect(canTransition('running', 'queued')).toBe(false);
  });

  it('claims a queued file, counting the attempt and taking the lease', () => {
    const claimed = applyFileUpdate(file(), claimUpdate(file(), 1000, 500, 'tok'));
    expect(claimed).toMatchObject({
      status: 'running',
      attempts: 1,
      leaseToken: 'tok',
      leaseUntil: 1500,
    });
  });

  it('refuses to claim a running file whose lease is still valid, and reclaims it once expired', () => {
    const running = file({ status: 'running', attempts: 1, leaseToken: 'a', leaseUntil: 2000 });
    expect(applyFileUpdate(running, claimUpdate(running, 1999, 500, 'b'))).toBeUndefined();
    expect(applyFileUpdate(running, claimUpdate(running, 2000, 500, 'b'))).toMatchObject({
      leaseToken: 'b',
      attempts: 2,
    });
  });

  it('lets only the owning claim complete, and only once', () => {
    const running = file({ status: 'running', leaseToken: 'a', leaseUntil: 2000 });
    expect(applyFileUpdate(running, completeUpdate(running, 'b', result, 1))).toBeUndefined();
    const done = applyFileUpdate(running, completeUpdate(running, 'a', result, 1));
    expect(done).toMatchObject({ status: 'done', progress: 1, modelId: 'u2net', outputSize: 5 });
    expect(done && applyFileUpdate(done, completeUpdate(done, 'a', result, 2))).toBeUndefined();
    expect(done && applyFileUpdate(done, claimUpdate(done, 5000, 1, 'c'))).toBeUndefined();
    expect(done && applyFileUpdate(done, failUpdate(done, 'late', 3))).toBeUndefined();
  });

  it('writes only the result fields it names, never the output bytes a processor returns', () => {
    const running = file({ status: 'running', leaseToken: 'a', leaseUntil: 2000 });
    const processorResult = { ...result, data: new Uint8Array(500_000), extension: 'png' };
    const update = completeUpdate(running, 'a', processorResult, 1);
    expect(Object.keys(update.set).sort()).toEqual(
      [
        'leaseUntil',
        'modelId',
        'outputContentType',
        'outputSize',
        'progress',
        'status',
        'updatedAt',
        'warnings',
      ].sort(),
    );
  });

  it('fails any unfinished file without a token, but a worker only with its own', () => {
    expect(
      applyFileUpdate(file({ status: 'waiting_upload' }), failUpdate(file(), 'x', 1)),
    ).toMatchObject({
      status: 'failed',
      error: 'x',
    });
    const running = file({ status: 'running', leaseToken: 'a' });
    expect(applyFileUpdate(running, failUpdate(running, 'x', 1, 'b'))).toBeUndefined();
    expect(applyFileUpdate(running, failUpdate(running, 'x', 1, 'a'))?.status).toBe('failed');
  });

  it('queues only a file that waits for its upload', () => {
    expect(
      applyFileUpdate(file({ status: 'waiting_upload' }), markQueuedUpdate(file(), 1, 42)),
    ).toMatchObject({
      status: 'queued',
      size: 42,
    });
    expect(
      applyFileUpdate(file({ status: 'running' }), markQueuedUpdate(file(), 1, 42)),
    ).toBeUndefined();
  });

  it('clamps progress, extends the lease, and requires the owner', () => {
    const running = file({ status: 'running', leaseToken: 'a', leaseUntil: 10 });
    expect(applyFileUpdate(running, progressUpdate(running, 'a', 1.7, 100, 50))).toMatchObject({
      progress: 1,
      leaseUntil: 150,
    });
    expect(applyFileUpdate(running, progressUpdate(running, 'z', 0.5, 100, 50))).toBeUndefined();
  });

  it('releases a claim so the next delivery can take the file at once', () => {
    const running = file({ status: 'running', leaseToken: 'a', leaseUntil: 10_000 });
    const released = applyFileUpdate(running, releaseUpdate(running, 'a', 'busy', 5));
    expect(released).toMatchObject({ status: 'running', leaseUntil: 0, lastError: 'busy' });
    expect(released && isClaimable(released, 6)).toBe(true);
  });
});

describe('lease renewal and dead letters', () => {
  it('renews only the owning claim of a running file, whatever its lease says', () => {
    const running = file({ status: 'running', leaseToken: 't', leaseUntil: 1_000 });
    // Even past its end (a slow renewal): the claim is still the owner until someone reclaims.
    expect(applyFileUpdate(running, renewLeaseUpdate(running, 't', 5_000, 2_000))).toMatchObject({
      leaseUntil: 7_000,
      status: 'running',
    });
    expect(applyFileUpdate(running, renewLeaseUpdate(running, 'other', 5_000, 2_000))).toBe(
      undefined,
    );
    const done = file({ status: 'done', leaseToken: 't' });
    expect(applyFileUpdate(done, renewLeaseUpdate(done, 't', 5_000, 2_000))).toBe(undefined);
  });

  it('fails a dead-lettered file unless it runs under a live lease', () => {
    const leased = file({ status: 'running', leaseToken: 't', leaseUntil: 10_000 });
    expect(applyFileUpdate(leased, deadLetterFailUpdate(leased, 'gave up', 9_000))).toBe(undefined);
    expect(applyFileUpdate(leased, deadLetterFailUpdate(leased, 'gave up', 10_000))).toMatchObject({
      status: 'failed',
      error: 'gave up',
      leaseUntil: 0,
    });
    const queued = file({ status: 'queued' });
    expect(applyFileUpdate(queued, deadLetterFailUpdate(queued, 'gave up', 0))?.status).toBe(
      'failed',
    );
  });
});
