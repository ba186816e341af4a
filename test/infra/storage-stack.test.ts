import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS_TABLE, KEYS_TABLE } from '../../adapters/aws/table-keys.ts';
import { QUEUE_SETTINGS } from '../../core/config/resources.ts';
import { removeOutput, SYNTH_TIMEOUT_MS, synthesizeStorage } from './support/test-app.ts';

type Resource = { Properties: Record<string, unknown> } & Record<string, unknown>;
const byId = (template: Template, type: string, idPart: string): Resource => {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.includes(idPart));
  expect(found, `${type} ${idPart}`).toHaveLength(1);
  return found[0]?.[1] as Resource;
};

describe('StorageStack (dev)', () => {
  let template: Template;
  let outdir: string | undefined;
  beforeAll(async () => {
    const synthesized = await synthesizeStorage({ 'cutout:jobTtlDays': 3 });
    template = synthesized.template;
    outdir = synthesized.outdir;
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => removeOutput(outdir));

  it('makes every bucket private, S3-encrypted and owner-enforced', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
    }
  });

  it('denies every request that is not TLS, on every bucket', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });

  it('expires inputs and outputs with the job TTL and aborts stale multipart uploads', () => {
    for (const id of ['cutoutinputs', 'cutoutoutputs']) {
      const bucket = byId(template, 'AWS::S3::Bucket', id);
      expect(bucket.Properties.LifecycleConfiguration).toMatchObject({
        Rules: expect.arrayContaining([
          expect.objectContaining({
            Status: 'Enabled',
            ExpirationInDays: 3,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ]),
      });
      expect(bucket.Properties.LoggingConfiguration).toMatchObject({
        DestinationBucketName: { Ref: expect.stringContaining('accesslogs') },
      });
    }
  });

  it('versions the outputs (what the GPU time paid for) but not the inputs', () => {
    expect(byId(template, 'AWS::S3::Bucket', 'cutoutoutputs').Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: expect.arrayContaining([
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
          expect.objectContaining({ ExpiredObjectDeleteMarker: true }),
        ]),
      },
    });
    expect(
      byId(template, 'AWS::S3::Bucket', 'cutoutinputs').Properties.VersioningConfiguration,
    ).toBeUndefined();
  });

  it('lets browsers POST presigned uploads to the inputs bucket', () => {
    expect(byId(template, 'AWS::S3::Bucket', 'cutoutinputs').Properties.CorsConfiguration).toEqual({
      CorsRules: [
        expect.objectContaining({
          AllowedMethods: expect.arrayContaining(['POST', 'PUT']),
          AllowedOrigins: ['*'],
          ExposedHeaders: ['ETag'],
        }),
      ],
    });
  });

  it('names the buckets per stage, account and region', () => {
    expect(byId(template, 'AWS::S3::Bucket', 'cutoutinputs').Properties.BucketName).toEqual({
      'Fn::Join': [
        '',
        ['cutout-dev-inputs-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
      ],
    });
  });

  it('creates the jobs table from adapters/aws/table-keys.ts: on-demand, PITR, TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: JOBS_TABLE.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: JOBS_TABLE.sortKey.name, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: JOBS_TABLE.timeToLiveAttribute, Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('creates the keys table keyed by the key hash, without TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: KEYS_TABLE.partitionKey.name, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: Match.absent(),
    });
  });

  it('gives each queue a dead-letter queue and the visibility from QUEUE_SETTINGS', () => {
    for (const kind of ['image', 'video'] as const) {
      const ids = Object.keys(template.findResources('AWS::SQS::Queue'));
      const queueId = ids.find((id) => id.startsWith(`Queuescutout${kind}`) && !id.includes('dlq'));
      const dlqId = ids.find((id) => id.startsWith(`Queuescutout${kind}dlq`));
      expect(queueId).toBeDefined();
      const queue = template.findResources('AWS::SQS::Queue')[queueId ?? ''] as Resource;
      expect(dlqId).toBeDefined();
      expect(queue.Properties).toMatchObject({
        VisibilityTimeout: QUEUE_SETTINGS[kind].visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 3 * 24 * 3600,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: QUEUE_SETTINGS[kind].maxReceiveCount,
        },
      });
    }
  });

  it('keeps dead letters 14 days, long enough for the on-dead-letter Lambda to retry', () => {
    const dlqs = Object.entries(template.findResources('AWS::SQS::Queue')).filter(([id]) =>
      id.includes('dlq'),
    );
    expect(dlqs).toHaveLength(2);
    for (const [, dlq] of dlqs) {
      expect(dlq.Properties).toMatchObject({
        MessageRetentionPeriod: 14 * 24 * 3600,
        VisibilityTimeout: 180,
        SqsManagedSseEnabled: true,
      });
    }
  });

  it('denies non-TLS access to every queue', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
    }
  });

  it('lets a dev stack be deleted with its data', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Delete');
      }
    }
  });
});

describe('StorageStack (prod)', () => {
  it(
    'retains data, protects the tables and the stack',
    async () => {
      const { outdir, summary, template } = await synthesizeStorage({ 'cutout:stage': 'prod' });
      await removeOutput(outdir);
      expect(summary.storageStack).toBe('cutout-prod-storage');
      expect(summary.terminationProtection.storage).toBe(true);
      for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue']) {
        for (const resource of Object.values(template.findResources(type))) {
          expect(resource.DeletionPolicy).toBe('Retain');
        }
      }
      for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
        expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      }
      template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    },
    SYNTH_TIMEOUT_MS,
  );
});
