import { describe, expect, it } from 'vitest';
import { ENV, QUEUE_SETTINGS } from '../../core/config/resources.ts';
import { retrySchedule, WEBHOOK_RETRY_DEFAULTS } from '../../core/webhooks/retry-schedule.ts';
import { WEBHOOK_ENV } from '../../core/webhooks/webhook-settings.ts';
import { type CfnJson, resourcesOfType, synthesizedForFile } from './support/test-app.ts';

/**
 * Webhook delivery as synthesized, with cdk-nag on (an unacknowledged finding fails the synth):
 * its queues, the delivery Lambda's event source and grants, who may send to the queue, and
 * the dead-letter alarm.
 */

const built = synthesizedForFile({}, { nag: true });

const functions = () =>
  resourcesOfType(built.serviceTemplate, 'AWS::Lambda::Function').filter(
    ([, fn]) => fn.Properties.Handler === 'index.handler',
  );

function functionId(part: string): string {
  const found = functions()
    .filter(([id]) => id.toLowerCase().includes(part))
    .map(([id]) => id);
  expect(found, part).toHaveLength(1);
  return found[0] as string;
}

function statementsOfRole(roleRef: string): Record<string, CfnJson>[] {
  return resourcesOfType(built.serviceTemplate, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleRef))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, CfnJson>[]);
}

function statementsOf(fnId: string): Record<string, CfnJson>[] {
  const [, fn] = functions().find(([id]) => id === fnId) ?? [];
  return statementsOfRole(fn?.Properties.Role['Fn::GetAtt'][0] as string);
}

const actionsOf = (s: Record<string, CfnJson>): string[] => ([] as string[]).concat(s.Action);

function queueIds(): { queue: string; deadLetter: string } {
  const queues = resourcesOfType(built.serviceTemplate, 'AWS::SQS::Queue');
  const queue = queues.find(
    ([id]) => /webhooks.*cutoutwebhooks(?!dlq)/i.test(id) && !/dlq/i.test(id),
  );
  const deadLetter = queues.find(([id]) => /webhooks.*dlq/i.test(id));
  expect(queue).toBeDefined();
  expect(deadLetter).toBeDefined();
  return { queue: queue?.[0] as string, deadLetter: deadLetter?.[0] as string };
}

describe('the webhooks queue', () => {
  it('is encrypted, redrives to its dead-letter queue after the attempts, and outlives the Lambda timeout', () => {
    const { queue, deadLetter } = queueIds();
    const props = built.serviceTemplate.toJSON().Resources[queue].Properties;
    expect(props.SqsManagedSseEnabled).toBe(true);
    expect(props.VisibilityTimeout).toBe(QUEUE_SETTINGS.webhook.visibilityTimeoutSeconds);
    expect(props.RedrivePolicy.maxReceiveCount).toBe(QUEUE_SETTINGS.webhook.maxReceiveCount);
    expect(JSON.stringify(props.RedrivePolicy.deadLetterTargetArn)).toContain(deadLetter);
    const fn = built.serviceTemplate.toJSON().Resources[functionId('deliverwebhook')].Properties;
    expect(fn.Timeout).toBeLessThan(props.VisibilityTimeout);
  });

  // Lambda's SQS guidance: a visibility of at least 6 times the function's timeout, so a batch
  // held back while the function is throttled is not received again (a receive is an attempt
  // here, so an early one would use up the event's attempts without trying the receiver).
  it('hides a received event for at least 6 times the delivery timeout, and keeps it past the retry schedule', () => {
    const { queue } = queueIds();
    const props = built.serviceTemplate.toJSON().Resources[queue].Properties;
    const fn = built.serviceTemplate.toJSON().Resources[functionId('deliverwebhook')].Properties;
    expect(props.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout);
    const waits = retrySchedule({
      maxAttempts: QUEUE_SETTINGS.webhook.maxReceiveCount,
      retryBaseSeconds: WEBHOOK_RETRY_DEFAULTS.retryBaseSeconds,
    });
    expect(props.MessageRetentionPeriod).toBeGreaterThan(waits.reduce((a, b) => a + b, 0));
  });

  it('refuses plain-http access to both queues', () => {
    const { queue, deadLetter } = queueIds();
    const policies = resourcesOfType(built.serviceTemplate, 'AWS::SQS::QueuePolicy');
    for (const id of [queue, deadLetter]) {
      const policy = policies.find(([, p]) => JSON.stringify(p.Properties.Queues).includes(id));
      expect(JSON.stringify(policy?.[1].Properties.PolicyDocument)).toContain(
        'aws:SecureTransport',
      );
    }
  });
});

describe('the delivery Lambda', () => {
  const id = () => functionId('deliverwebhook');

  it('consumes the queue with partial batch failures', () => {
    const mappings = resourcesOfType(
      built.serviceTemplate,
      'AWS::Lambda::EventSourceMapping',
    ).filter(([, m]) => JSON.stringify(m.Properties.FunctionName).includes(id()));
    expect(mappings).toHaveLength(1);
    const props = mappings[0]?.[1].Properties;
    expect(props?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(JSON.stringify(props?.EventSourceArn)).toContain(queueIds().queue);
  });

  it('is told the attempts the queue allows, and runs outside any VPC', () => {
    const fn = built.serviceTemplate.toJSON().Resources[id()].Properties;
    expect(fn.Environment.Variables[WEBHOOK_ENV.maxAttempts]).toBe(
      String(QUEUE_SETTINGS.webhook.maxReceiveCount),
    );
    expect(fn.VpcConfig).toBeUndefined();
    // The deployed outbound guard: https only, no address exceptions.
    expect(fn.Environment.Variables.CUTOUT_OUTBOUND_ALLOW_HTTP).toBeUndefined();
    expect(fn.Environment.Variables.CUTOUT_OUTBOUND_ALLOW_CIDRS).toBeUndefined();
  });

  it('may read and update job items, read and set keys’ secrets, and nothing broader', () => {
    const dynamo = statementsOf(id())
      .flatMap(actionsOf)
      .filter((a) => a.startsWith('dynamodb:'));
    expect([...new Set(dynamo)].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statementsOf(id()))).not.toMatch(
      /dynamodb:\*|DeleteItem|Scan|s3:PutObject/,
    );
  });
});

describe('who reports finished files', () => {
  it('the dead-letter handler and the reconciler get the queue URL and may send to it', () => {
    const { queue } = queueIds();
    for (const part of ['ondeadletter', 'reconcile']) {
      const fnId = functionId(part);
      const fn = built.serviceTemplate.toJSON().Resources[fnId].Properties;
      expect(JSON.stringify(fn.Environment.Variables[WEBHOOK_ENV.queueUrl])).toContain(queue);
      const sends = statementsOf(fnId).filter(
        (s) =>
          actionsOf(s).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(queue),
      );
      expect(sends, part).toHaveLength(1);
    }
  });

  it('the workers’ tasks get the queue URL and may send to it', () => {
    const { queue } = queueIds();
    const tasks = resourcesOfType(built.serviceTemplate, 'AWS::ECS::TaskDefinition');
    expect(tasks).toHaveLength(2);
    for (const [, task] of tasks) {
      const env = task.Properties.ContainerDefinitions[0].Environment as {
        Name: string;
        Value: CfnJson;
      }[];
      const url = env.find((e) => e.Name === WEBHOOK_ENV.queueUrl);
      expect(JSON.stringify(url?.Value)).toContain(queue);
      const role = task.Properties.TaskRoleArn['Fn::GetAtt'][0] as string;
      const sends = statementsOfRole(role).filter(
        (s) =>
          actionsOf(s).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(queue),
      );
      expect(sends).toHaveLength(1);
    }
  });

  it('an alarm watches the dead-letter queue', () => {
    const { deadLetter } = queueIds();
    const alarms = resourcesOfType(built.serviceTemplate, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(deadLetter),
    );
    expect(alarms.length).toBeGreaterThanOrEqual(1);
    expect(alarms[0]?.[1].Properties.AlarmActions).toBeDefined();
  });
});

it('names the keys table and outputs bucket for the delivery Lambda', () => {
  const fn = built.serviceTemplate.toJSON().Resources[functionId('deliverwebhook')].Properties;
  for (const name of [ENV.jobsTable, ENV.keysTable, ENV.outputBucket]) {
    expect(fn.Environment.Variables[name], name).toBeDefined();
  }
});
