import { describe, expect, it } from 'vitest';
import { PENDING_INDEX } from '../../adapters/aws/table-keys.ts';
import { LOG_LEVEL_ENV } from '../../adapters/observability/log.ts';
import { RECONCILER_DEFAULTS, RECONCILER_ENV } from '../../core/config/reconciler.ts';
import { ENV, QUEUE_SETTINGS } from '../../core/config/resources.ts';
import { WEBHOOK_ENV } from '../../core/webhooks/webhook-settings.ts';
import { loadConfig } from '../../infra/config.ts';
import { type CfnJson, resourcesOfType, synthesizedForFile } from './support/test-app.ts';

/**
 * The reconciler and the upload Lambda's failure destination as synthesized (cdk-nag on: an
 * unacknowledged finding fails the synth and so every test here).
 */

const built = synthesizedForFile({ 'cutout:reconcileQueuedAfterSeconds': 2700 }, { nag: true });

function functionId(part: string): string {
  const found = resourcesOfType(built.serviceTemplate, 'AWS::Lambda::Function')
    .filter(
      ([id, fn]) => id.toLowerCase().includes(part) && fn.Properties.Handler === 'index.handler',
    )
    .map(([id]) => id);
  expect(found, part).toHaveLength(1);
  return found[0] as string;
}

/** Every statement of the policies attached to a function's role. */
function statementsOf(fnId: string): Record<string, CfnJson>[] {
  const [, fn] =
    resourcesOfType(built.serviceTemplate, 'AWS::Lambda::Function').find(([id]) => id === fnId) ??
    [];
  const roleRef = fn?.Properties.Role['Fn::GetAtt'][0] as string;
  return resourcesOfType(built.serviceTemplate, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleRef))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, CfnJson>[]);
}

const actionsOf = (s: Record<string, CfnJson>): string[] => ([] as string[]).concat(s.Action);

describe('configuration', () => {
  const from = (values: Record<string, unknown>) => (key: string) => values[key];

  it('defaults the re-send threshold past both queues’ visibility timeouts, and refuses less', () => {
    expect(loadConfig(from({})).reconcileQueuedAfterSeconds).toBe(
      RECONCILER_DEFAULTS.queuedAfterSeconds,
    );
    expect(RECONCILER_DEFAULTS.queuedAfterSeconds).toBeGreaterThan(
      QUEUE_SETTINGS.video.visibilityTimeoutSeconds,
    );
    expect(() => loadConfig(from({ 'cutout:reconcileQueuedAfterSeconds': '120' }))).toThrow(
      /cutout:reconcileQueuedAfterSeconds: /,
    );
  });
});

describe('jobs table', () => {
  it('has the sparse pending index the reconciler queries', () => {
    const [, table] =
      resourcesOfType(built.storageTemplate, 'AWS::DynamoDB::Table').find(([, t]) =>
        JSON.stringify(t.Properties.KeySchema).includes('"sk"'),
      ) ?? [];
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: PENDING_INDEX.name,
        KeySchema: [
          { AttributeName: 'pendingKey', KeyType: 'HASH' },
          { AttributeName: 'pendingSince', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status', 'requeues'] },
      },
    ]);
    expect(table?.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pendingKey', AttributeType: 'S' },
        { AttributeName: 'pendingSince', AttributeType: 'N' },
      ]),
    );
  });
});

describe('reconciler', () => {
  it('runs every five minutes from an EventBridge schedule', () => {
    const id = functionId('reconciler');
    const rules = resourcesOfType(built.serviceTemplate, 'AWS::Events::Rule').map(
      ([, r]) => r.Properties,
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })],
      }),
    );
    built.serviceTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [id, 'Arn'] },
    });
  });

  it('gets the table, bucket and queue names and the threshold its env schema reads', () => {
    const [, fn] =
      resourcesOfType(built.serviceTemplate, 'AWS::Lambda::Function').find(
        ([id]) => id === functionId('reconciler'),
      ) ?? [];
    expect(Object.keys(fn?.Properties.Environment.Variables).sort()).toEqual(
      [
        ENV.jobsTable,
        ENV.inputBucket,
        ENV.imageQueueUrl,
        ENV.videoQueueUrl,
        RECONCILER_ENV.queuedAfterSeconds,
        WEBHOOK_ENV.queueUrl,
        LOG_LEVEL_ENV,
        'NODE_OPTIONS',
      ].sort(),
    );
    // From the deployment's configuration (`cutout:reconcileQueuedAfterSeconds`).
    expect(fn?.Properties.Environment.Variables[RECONCILER_ENV.queuedAfterSeconds]).toBe('2700');
  });

  it('may query the pending index, read and update items, head inputs and send to the queues, nothing more', () => {
    const statements = statementsOf(functionId('reconciler'));
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => actionsOf(s).sort())).toEqual([
      ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      ['dynamodb:Query'],
    ]);
    expect(JSON.stringify(dynamo[1]?.Resource)).toContain(`/index/${PENDING_INDEX.name}`);
    expect(JSON.stringify(dynamo[0]?.Resource)).not.toContain('/index/');
    const s3 = statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:'));
    expect(s3.sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    const s3Resources = JSON.stringify(
      statements
        .filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')))
        .map((s) => s.Resource),
    );
    expect(s3Resources).toContain('-inputs-');
    expect(s3Resources).not.toContain('-outputs-');
    const sqs = statements.filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    const queues = JSON.stringify(sqs.map((s) => s.Resource));
    expect(queues).toContain('cutoutimage');
    expect(queues).toContain('cutoutvideo');
    expect(queues).not.toContain('dlq');
    const other = statements.flatMap(actionsOf).filter((a) => !/^(dynamodb|s3|sqs):/.test(a));
    expect(other).toEqual([]);
  });

  it('alarms to the alarm topic when runs keep failing', () => {
    const id = functionId('reconciler');
    const alarm = resourcesOfType(built.serviceTemplate, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .find(
        (a) =>
          a.MetricName === 'Errors' &&
          JSON.stringify(a.Dimensions ?? []).includes(id) &&
          a.EvaluationPeriods === 2,
      );
    expect(alarm).toMatchObject({ Threshold: 1, Statistic: 'Sum', Period: 300 });
    expect(JSON.stringify(alarm?.AlarmActions)).toContain('AlarmsTopic');
  });

  it('runs once per schedule tick: the next run is the retry', () => {
    built.serviceTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId('reconciler') },
      MaximumRetryAttempts: 0,
    });
  });
});

describe('upload Lambda failure destination', () => {
  it('sends an upload event that failed every retry to an encrypted queue, and alarms on it', () => {
    const onUpload = functionId('onupload');
    const configs = resourcesOfType(built.serviceTemplate, 'AWS::Lambda::EventInvokeConfig')
      .map(([, c]) => c.Properties)
      .filter((c) => c.FunctionName?.Ref === onUpload);
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({ MaximumRetryAttempts: 2 });
    const target = configs[0]?.DestinationConfig.OnFailure.Destination as CfnJson;
    const queueId = target['Fn::GetAtt'][0] as string;
    expect(
      built.serviceTemplate.findResources('AWS::SQS::Queue')[queueId]?.Properties,
    ).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    const sends = statementsOf(onUpload).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(JSON.stringify(sends.map((s) => s.Resource))).toContain(queueId);
    const alarm = resourcesOfType(built.serviceTemplate, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .find((a) => JSON.stringify(a.Dimensions ?? []).includes(queueId));
    expect(alarm).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
    expect(JSON.stringify(alarm?.AlarmActions)).toContain('AlarmsTopic');
  });
});
