import { describe, expect, it } from 'vitest';
import { fileUpdateExpression } from '../../../../adapters/aws/dynamo-job-repository.ts';
import { claimUpdate, completeUpdate } from '../../../../core/jobs/transitions.ts';

describe('fileUpdateExpression', () => {
  it('turns a claim into one conditional UpdateItem with placeholders for every name', () => {
    const expr = fileUpdateExpression(
      claimUpdate({ jobId: 'j', fileId: '0000' }, 1000, 500, 'tok'),
    );
    expect(expr.ConditionExpression).toBe(
      'attribute_exists(#pk) AND #s IN (:from0, :from1) AND (#s <> :running OR #lu <= :expired)',
    );
    expect(expr.ExpressionAttributeValues).toMatchObject({
      ':from0': 'queued',
      ':from1': 'running',
      ':expired': 1000,
    });
    expect(expr.UpdateExpression).toMatch(/ ADD #att :one$/);
    // status, size and error are DynamoDB reserved words: none may appear bare.
    expect(expr.UpdateExpression).not.toMatch(/\bstatus\b/);
  });

  it('requires the lease token to complete', () => {
    const expr = fileUpdateExpression(
      completeUpdate(
        { jobId: 'j', fileId: '0000' },
        'tok',
        { modelId: 'm', warnings: [], outputContentType: 'image/png', outputSize: 1 },
        1,
      ),
    );
    expect(expr.ConditionExpression).toContain('#lt = :lt');
    expect(expr.ExpressionAttributeValues[':lt']).toBe('tok');
  });
});
