import { describe, expect, it } from 'vitest';
import { fileUpdateExpression } from '../../../../adapters/aws/dynamo-job-repository.ts';
import { fileToItem, pendingKey } from '../../../../adapters/aws/job-items.ts';
import { newFileRecord } from '../../../../core/jobs/job.ts';
import type { FileUpdate } from '../../../../core/jobs/ports.ts';
import {
  claimUpdate,
  failUpdate,
  markQueuedUpdate,
  progressUpdate,
} from '../../../../core/jobs/transitions.ts';

const FILE = { jobId: '11111111-2222-4333-8444-555555555555', fileId: '0000' };

/** DynamoDB refuses an expression with a placeholder it does not use (ValidationException). */
function expectEveryPlaceholderUsed(update: FileUpdate) {
  const expr = fileUpdateExpression(update);
  const text = `${expr.UpdateExpression} ${expr.ConditionExpression}`;
  for (const name of [
    ...Object.keys(expr.ExpressionAttributeNames),
    ...Object.keys(expr.ExpressionAttributeValues),
  ]) {
    expect(text, name).toMatch(new RegExp(`${name}(?![\\w])`));
  }
  return expr;
}

describe('the pending index in file items', () => {
  it('puts a new waiting or queued file in it, and a failed one not', () => {
    const base = {
      ...FILE,
      inputName: 'a.png',
      outputName: 'a.png',
      inputKey: 'k',
      outputKey: 'o',
      contentType: 'image/png',
      size: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: 1,
    };
    expect(fileToItem(newFileRecord({ ...base, status: 'waiting_upload' }))).toMatchObject({
      pendingKey: pendingKey(FILE.jobId, 'waiting_upload'),
      pendingSince: Date.parse(base.createdAt),
    });
    expect(pendingKey(FILE.jobId, 'queued')).toMatch(/^queued#[0-7]$/);
    const failed = fileToItem(newFileRecord({ ...base, status: 'failed', error: 'bad' }));
    expect(failed).not.toHaveProperty('pendingKey');
  });

  it('moves a file to the queued partition when it is queued, restarting its clock', () => {
    const expr = expectEveryPlaceholderUsed(markQueuedUpdate(FILE, 5000, 3));
    expect(expr.ExpressionAttributeValues).toMatchObject({
      ':pk2': pendingKey(FILE.jobId, 'queued'),
      ':ps': 5000,
    });
  });

  it('removes it from the index once it runs or fails', () => {
    for (const update of [claimUpdate(FILE, 1, 10, 't'), failUpdate(FILE, 'x', 1)]) {
      const expr = expectEveryPlaceholderUsed(update);
      expect(expr.UpdateExpression).toMatch(/ REMOVE #pk2, #ps/);
    }
  });

  it('leaves it alone on progress, and moves only the clock on a re-send', () => {
    const progress = expectEveryPlaceholderUsed(progressUpdate(FILE, 't', 0.5, 1, 10));
    expect(progress.UpdateExpression).not.toMatch(/#ps|#pk2|REMOVE/);
    const resend = expectEveryPlaceholderUsed({
      ...FILE,
      from: ['queued'],
      set: { pendingSince: 9000, requeues: 1, updatedAt: new Date(1).toISOString() },
    });
    expect(resend.UpdateExpression).toContain('#ps = :ps');
    expect(resend.UpdateExpression).not.toContain('#pk2');
    expect(resend.ExpressionAttributeValues[':ps']).toBe(9000);
  });
});
