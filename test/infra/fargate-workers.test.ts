import { describe, expect, it } from 'vitest';
import { LOG_LEVEL_ENV } from '../../adapters/observability/log.ts';
import { FUNCTION_NAMES } from '../../infra/constructs/node-function.ts';
import { synthesizedForFile } from './support/test-app.ts';

describe('workerCompute: fargate (prod, with an alarm address)', () => {
  // cdk-nag on: this synth also proves the Fargate and prod variants have no unacknowledged
  // AwsSolutions finding (the synth throws with the report otherwise).
  const built = synthesizedForFile(
    {
      'cutout:workerCompute': 'fargate',
      'cutout:minWorkers': 1,
      'cutout:stage': 'prod',
      'cutout:alarmEmail': 'ops@example.com',
      'cutout:logLevel': 'debug',
    },
    { nag: true },
  );

  it('hands cutout:logLevel to every function and worker as LOG_LEVEL', () => {
    const functions = Object.values(built.serviceTemplate.findResources('AWS::Lambda::Function'))
      // CDK's own custom-resource providers are not ours to configure.
      .filter((fn) => fn.Properties.Environment?.Variables?.NODE_OPTIONS !== undefined);
    expect(functions).toHaveLength(FUNCTION_NAMES.length);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables[LOG_LEVEL_ENV]).toBe('debug');
    }
    const tasks = Object.values(built.serviceTemplate.findResources('AWS::ECS::TaskDefinition'));
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task.Properties.ContainerDefinitions[0].Environment).toContainEqual({
        Name: LOG_LEVEL_ENV,
        Value: 'debug',
      });
    }
  });

  it('passes cdk-nag and protects the prod storage stack', () => {
    const findings = built.summary.nagFindings;
    expect(findings).toBeDefined();
    expect(findings?.filter((f) => (f.reason ?? '').length < 20)).toEqual([]);
    expect(built.summary.terminationProtection).toEqual({ storage: true, service: false });
  });

  it('subscribes the alarm address to the alarm topic', () => {
    built.serviceTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('creates no GPU hosts', () => {
    built.serviceTemplate.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
    built.serviceTemplate.resourceCountIs('AWS::ECS::CapacityProvider', 0);
    built.serviceTemplate.resourceCountIs('AWS::EC2::LaunchTemplate', 0);
  });

  it('runs CPU-only Fargate tasks (Fargate has no GPUs) on Fargate Spot', () => {
    const tasks = Object.values(built.serviceTemplate.findResources('AWS::ECS::TaskDefinition'));
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task.Properties).toMatchObject({
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: '4096',
        Memory: '8192',
      });
      const [container] = task.Properties.ContainerDefinitions;
      expect(container.ResourceRequirements).toBeUndefined();
      const env = Object.fromEntries(
        (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
      );
      expect(env.CUTOUT_ORT_PROVIDERS).toBe('cpu');
    }
    for (const service of Object.values(built.serviceTemplate.findResources('AWS::ECS::Service'))) {
      expect(service.Properties.CapacityProviderStrategy).toEqual([
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ]);
      expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe(
        'ENABLED',
      );
    }
  });

  it('lets Fargate workers out on HTTPS only, protect their tasks and know their region', () => {
    const groups = Object.entries(built.serviceTemplate.findResources('AWS::EC2::SecurityGroup'));
    expect(groups).toHaveLength(2);
    for (const [id, group] of groups) {
      expect(group.Properties.SecurityGroupEgress, id).toEqual([
        expect.objectContaining({
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
        }),
      ]);
    }
    const taskPolicies = Object.entries(
      built.serviceTemplate.findResources('AWS::IAM::Policy'),
    ).filter(([id]) => id.includes('TaskTaskRole'));
    expect(taskPolicies).toHaveLength(2);
    for (const [, policy] of taskPolicies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(
        'ecs:UpdateTaskProtection',
      );
    }
    for (const task of Object.values(
      built.serviceTemplate.findResources('AWS::ECS::TaskDefinition'),
    )) {
      expect(task.Properties.ContainerDefinitions[0].Environment).toContainEqual({
        Name: 'AWS_REGION',
        Value: { Ref: 'AWS::Region' },
      });
    }
  });

  it('keeps the minimum warm image worker and scales video from zero', () => {
    const counts = Object.values(built.serviceTemplate.findResources('AWS::ECS::Service'))
      .map((s) => s.Properties.DesiredCount)
      .sort();
    expect(counts).toEqual([0, 1]);
    const mins = Object.values(
      built.serviceTemplate.findResources('AWS::ApplicationAutoScaling::ScalableTarget'),
    )
      .map((t) => t.Properties.MinCapacity)
      .sort();
    expect(mins).toEqual([0, 1]);
  });
});
