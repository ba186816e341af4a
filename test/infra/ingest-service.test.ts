import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  DEFAULT_INGEST_DRAIN_SECONDS,
  DEFAULT_INGEST_PORT,
  INGEST_ENV,
  INGEST_HEALTH_PATH,
  ingestEnvShape,
} from '../../containers/ingest/env.ts';
import { ingestTimeouts } from '../../containers/ingest/timeouts.ts';
import { ENV } from '../../core/config/resources.ts';
import { COMMERCIAL_SAFE_ONLY_ENV } from '../../functions/shared/env-schema.ts';
import {
  INGEST_CONTAINER,
  INGEST_DEREGISTRATION_DELAY,
  INGEST_HEALTH_COMMAND,
  INGEST_STOP_TIMEOUT,
} from '../../infra/constructs/ingest-service.ts';
import { INGEST_DOCKERFILE } from '../../infra/constructs/streaming-front-door.ts';
import { JOB_TABLE_ACCESS } from '../../infra/constructs/table-grants.ts';
import { isRequired } from '../../infra/environment-for.ts';
import { INGEST_OUTPUTS } from '../../infra/stacks/service-stack.ts';
import {
  actionsOf,
  DOOR,
  ingestEnvironment,
  only,
  referenced,
  roleStatements,
} from './support/ingest-template.ts';
import { type CfnJson, resourcesOfType, synthesizedForFile } from './support/test-app.ts';

const CERTIFICATE =
  'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

// One synth (slow) with cdk-nag on: an unacknowledged AwsSolutions finding fails it.
const built = synthesizedForFile(
  {
    'cutout:ingest': 'streaming',
    'cutout:ingestHttps': 'certificate',
    'cutout:ingestDomainName': 'cutout.example.com',
    'cutout:ingestCertificateArn': CERTIFICATE,
    'cutout:ingestHostedZoneId': 'Z0123456789ABC',
    'cutout:ingestHostedZoneName': 'example.com',
    'cutout:ingestCpu': 512,
    'cutout:ingestMemoryMiB': 1024,
    'cutout:ingestMinTasks': 2,
    'cutout:ingestMaxTasks': 6,
    'cutout:ingestIdleTimeoutSeconds': 90,
    'cutout:ingestMaxUploadBytes': 2 * 1024 ** 3,
    'cutout:apiRateLimit': 7,
    'cutout:apiBurstLimit': 14,
    'cutout:commercialSafeOnly': true,
  },
  { nag: true },
);
const template = () => built.serviceTemplate;

describe('streaming door, ingestHttps=certificate: cdk-nag', () => {
  it('passes AwsSolutions with every finding acknowledged with a reason', () => {
    const findings = built.summary.nagFindings ?? [];
    expect(findings.filter((f) => (f.reason ?? '').length < 20)).toEqual([]);
    // The door's own findings are there, each with its reason (the acknowledgements are live).
    const door = findings.filter((f) => f.constructPath.includes(`/${DOOR}/`));
    expect(door.map((f) => f.ruleName.replace(/\[.*$/, '')).sort()).toEqual(
      [
        'AwsSolutions-EC23', // the public listener ports
        'AwsSolutions-ECS2', // names in the environment
        'AwsSolutions-IAM5', // ecr:GetAuthorizationToken
        'AwsSolutions-IAM5', // objects under inputs/jobs/
        'AwsSolutions-IAM5', // objects of outputs
        'AwsSolutions-S1', // the access-log bucket itself
      ].sort(),
    );
  });
});

describe('streaming door, ingestHttps=certificate: load balancer', () => {
  it('faces the internet from the public subnets, idling longer than the service and shorter than its keep-alive', () => {
    const [, lb] = only(template(), 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb.Properties.Scheme).toBe('internet-facing');
    expect(lb.Properties.Type).toBe('application');
    const attributes = Object.fromEntries(
      (lb.Properties.LoadBalancerAttributes as { Key: string; Value: CfnJson }[]).map((a) => [
        a.Key,
        a.Value,
      ]),
    );
    const timeouts = ingestTimeouts(90);
    expect(attributes['idle_timeout.timeout_seconds']).toBe(
      String(timeouts.loadBalancerIdleSeconds),
    );
    expect(timeouts.loadBalancerIdleSeconds).toBeGreaterThan(90);
    expect(timeouts.keepAliveMs / 1000).toBeGreaterThan(timeouts.loadBalancerIdleSeconds);
    expect(attributes['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
    const subnets = (lb.Properties.Subnets as CfnJson[]).map((s) => referenced(s));
    expect(subnets).toHaveLength(2);
    for (const subnet of subnets) expect(subnet).toMatch(/^NetworkVpcworkersSubnet/);
  });

  it('serves HTTPS with the configured certificate and redirects HTTP to it', () => {
    const listeners = resourcesOfType(template(), 'AWS::ElasticLoadBalancingV2::Listener').map(
      ([, l]) => l.Properties,
    );
    expect(listeners.map((l) => l.Port).sort()).toEqual([443, 80]);
    const https = listeners.find((l) => l.Port === 443);
    expect(https).toMatchObject({
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE }],
    });
    expect(String(https?.SslPolicy)).toMatch(/^ELBSecurityPolicy-TLS13-/);
    expect(https?.DefaultActions[0].Type).toBe('forward');
    const http = listeners.find((l) => l.Port === 80);
    expect(http?.Protocol).toBe('HTTP');
    expect(http?.DefaultActions).toEqual([
      {
        Type: 'redirect',
        RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
      },
    ]);
  });

  it('admits 443 and 80 from anywhere, and sends only to the tasks on their port', () => {
    const [lbGroupId, lbGroup] = only(
      template(),
      'AWS::EC2::SecurityGroup',
      'LoadBalancerSecurity',
    );
    const ingress = (lbGroup.Properties.SecurityGroupIngress as CfnJson[]).map((r) => [
      r.CidrIp,
      r.FromPort,
      r.ToPort,
    ]);
    expect(ingress.sort()).toEqual(
      [
        ['0.0.0.0/0', 443, 443],
        ['0.0.0.0/0', 80, 80],
      ].sort(),
    );
    const egress = resourcesOfType(template(), 'AWS::EC2::SecurityGroupEgress').filter(
      ([, r]) => referenced(r.Properties.GroupId) === lbGroupId,
    );
    expect(egress).toHaveLength(1);
    expect(egress[0]?.[1].Properties).toMatchObject({
      FromPort: DEFAULT_INGEST_PORT,
      ToPort: DEFAULT_INGEST_PORT,
      IpProtocol: 'tcp',
    });
    const [taskGroupId] = only(template(), 'AWS::EC2::SecurityGroup', 'TaskSecurity');
    expect(referenced(egress[0]?.[1].Properties.DestinationSecurityGroupId)).toBe(taskGroupId);
  });

  it('health-checks the tasks on the service port and path, and drains deregistered ones', () => {
    const [, group] = only(template(), 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(group.Properties).toMatchObject({
      TargetType: 'ip',
      Port: DEFAULT_INGEST_PORT,
      Protocol: 'HTTP',
      HealthCheckPath: INGEST_HEALTH_PATH,
      HealthCheckPort: String(DEFAULT_INGEST_PORT),
      Matcher: { HttpCode: '200' },
    });
    expect(group.Properties.TargetGroupAttributes).toContainEqual({
      Key: 'deregistration_delay.timeout_seconds',
      Value: String(INGEST_DEREGISTRATION_DELAY.toSeconds()),
    });
  });

  it('writes access logs to an encrypted, TLS-only bucket that expires them', () => {
    const [lbId, lb] = only(template(), 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const attributes = lb.Properties.LoadBalancerAttributes as { Key: string; Value: CfnJson }[];
    expect(attributes).toContainEqual({ Key: 'access_logs.s3.enabled', Value: 'true' });
    const bucketRef = attributes.find((a) => a.Key === 'access_logs.s3.bucket')?.Value;
    const [bucketId, bucket] = only(template(), 'AWS::S3::Bucket', 'AccessLogs');
    expect(referenced(bucketRef)).toBe(bucketId);
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const rules = bucket.Properties.LifecycleConfiguration.Rules as CfnJson[];
    expect(rules.some((r) => r.Status === 'Enabled' && r.ExpirationInDays > 0)).toBe(true);
    const [, policy] = only(template(), 'AWS::S3::BucketPolicy', 'AccessLogs');
    const statements = policy.Properties.PolicyDocument.Statement as CfnJson[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const delivery = statements.find((s) => s.Effect === 'Allow' && s.Action === 's3:PutObject');
    expect(delivery.Principal.Service).toBe('logdelivery.elasticloadbalancing.amazonaws.com');
    // The regional Elastic Load Balancing account, from CDK's region table.
    expect(JSON.stringify(delivery.Principal.AWS)).toContain('Fn::FindInMap');
    // The load balancer is created after the policy that lets it write there.
    expect(lb.DependsOn).toContain(
      resourcesOfType(template(), 'AWS::S3::BucketPolicy').find(([id]) =>
        id.includes('AccessLogs'),
      )?.[0],
    );
    expect(lbId).toContain(DOOR);
  });

  it('creates the DNS alias in the hosted zone, and refuses a certificate from another region at deploy', () => {
    template().hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'cutout.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABC',
    });
    const rules = template().toJSON().Rules as Record<string, CfnJson>;
    const rule = Object.values(rules ?? {}).find((r) =>
      JSON.stringify(r).includes('ingestCertificateArn'),
    );
    expect(rule?.Assertions[0].Assert).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'],
    });
  });

  it('outputs the door URL', () => {
    const outputs = template().findOutputs(INGEST_OUTPUTS.ingestUrl);
    expect(Object.values(outputs).map((o) => o.Value)).toEqual(['https://cutout.example.com']);
    expect(template().findOutputs(INGEST_OUTPUTS.ingestDnsTarget)).toEqual({});
  });
});

describe('streaming door, ingestHttps=certificate: Fargate service', () => {
  it('runs ARM64 Fargate tasks of the configured size', () => {
    const [, task] = only(template(), 'AWS::ECS::TaskDefinition', DOOR);
    expect(task.Properties).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '512',
      Memory: '1024',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    const [container] = task.Properties.ContainerDefinitions as CfnJson[];
    expect(container.Name).toBe(INGEST_CONTAINER);
    expect(container.PortMappings).toEqual([
      { ContainerPort: DEFAULT_INGEST_PORT, Protocol: 'tcp' },
    ]);
    expect(container.HealthCheck.Command).toEqual([...INGEST_HEALTH_COMMAND]);
    expect(container.LinuxParameters.InitProcessEnabled).toBe(true);
    // SIGTERM drains for INGEST_DRAIN_SECONDS; ECS must not kill the task before that ends.
    expect(container.StopTimeout).toBe(INGEST_STOP_TIMEOUT.toSeconds());
    expect(container.StopTimeout).toBeGreaterThan(DEFAULT_INGEST_DRAIN_SECONDS);
  });

  it('keeps the minimum running, rolls deploys without a gap, and admits only the load balancer', () => {
    const [, service] = only(template(), 'AWS::ECS::Service', DOOR);
    expect(service.Properties).toMatchObject({
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      LoadBalancers: [{ ContainerName: INGEST_CONTAINER, ContainerPort: DEFAULT_INGEST_PORT }],
    });
    const network = service.Properties.NetworkConfiguration.AwsvpcConfiguration;
    // Public addresses for egress only (no NAT gateway); the group admits nothing but the balancer.
    expect(network.AssignPublicIp).toBe('ENABLED');
    const [taskGroupId, taskGroup] = only(template(), 'AWS::EC2::SecurityGroup', 'TaskSecurity');
    expect(network.SecurityGroups.map(referenced)).toEqual([taskGroupId]);
    expect(taskGroup.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = resourcesOfType(template(), 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => referenced(r.Properties.GroupId) === taskGroupId,
    );
    expect(ingress).toHaveLength(1);
    const [lbGroupId] = only(template(), 'AWS::EC2::SecurityGroup', 'LoadBalancerSecurity');
    expect(referenced(ingress[0]?.[1].Properties.SourceSecurityGroupId)).toBe(lbGroupId);
    expect(ingress[0]?.[1].Properties.FromPort).toBe(DEFAULT_INGEST_PORT);
    expect(taskGroup.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
  });

  it('scales between the configured bounds on CPU and on requests per task', () => {
    const [targetId, target] = only(
      template(),
      'AWS::ApplicationAutoScaling::ScalableTarget',
      DOOR,
    );
    expect(target.Properties).toMatchObject({ MinCapacity: 2, MaxCapacity: 6 });
    const policies = resourcesOfType(template(), 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .filter(([, p]) => referenced(p.Properties.ScalingTargetId) === targetId)
      .map(([, p]) => p.Properties.TargetTrackingScalingPolicyConfiguration);
    const metrics = policies.map((p) => p.PredefinedMetricSpecification.PredefinedMetricType);
    expect(metrics.sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
  });

  it('passes exactly the variables the ingest schema reads, all required ones included', () => {
    const env = ingestEnvironment(template());
    const names = Object.keys(env);
    expect(names.filter((n) => !(n in ingestEnvShape))).toEqual([]);
    const required = Object.entries(ingestEnvShape)
      .filter(([, schema]) => isRequired(schema as z.ZodType))
      .map(([name]) => name);
    expect(required.filter((n) => !names.includes(n))).toEqual([]);
    expect(env).toMatchObject({
      [INGEST_ENV.port]: String(DEFAULT_INGEST_PORT),
      [INGEST_ENV.idleTimeoutSeconds]: '90',
      [INGEST_ENV.maxUploadBytes]: String(2 * 1024 ** 3),
      [INGEST_ENV.rateLimit]: '7',
      [INGEST_ENV.burstLimit]: '14',
      [ENV.maxImageBytes]: '104857600',
      [COMMERCIAL_SAFE_ONLY_ENV]: 'true',
    });
    // The keys table is read by the door itself: there is no authorizer in front of it.
    expect(env[ENV.keysTable]).toBeDefined();
    expect(env[ENV.inlineLimitBytes]).toBeUndefined();
  });

  it('keeps the container logs for the stage retention', () => {
    const [, task] = only(template(), 'AWS::ECS::TaskDefinition', DOOR);
    const logging = task.Properties.ContainerDefinitions[0].LogConfiguration;
    expect(logging.LogDriver).toBe('awslogs');
    const [groupId, group] = only(template(), 'AWS::Logs::LogGroup', `${DOOR}ServiceLogs`);
    expect(referenced(logging.Options['awslogs-group'])).toBe(groupId);
    expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('stages the ingest image for linux/arm64 next to the worker image, without building it', () => {
    const assets = JSON.parse(
      readFileSync(join(built.outdir, `${built.summary.serviceStack}.assets.json`), 'utf8'),
    );
    const sources = Object.values(assets.dockerImages as Record<string, CfnJson>).map(
      (image) => image.source,
    );
    expect(sources.map((s) => [s.dockerFile, s.platform]).sort()).toEqual(
      [
        ['containers/worker/Dockerfile', 'linux/amd64'],
        [INGEST_DOCKERFILE, 'linux/arm64'],
      ].sort(),
    );
  });
});

describe('streaming door, ingestHttps=certificate: IAM', () => {
  const taskRole = () =>
    referenced(only(template(), 'AWS::ECS::TaskDefinition', DOOR)[1].Properties.TaskRoleArn) ?? '';

  it('gives the door the job-table methods of the convert, results and files Lambdas together', () => {
    const lambdas = new Set([
      ...JOB_TABLE_ACCESS.convert,
      ...JOB_TABLE_ACCESS.results,
      ...JOB_TABLE_ACCESS.files,
    ]);
    expect([...JOB_TABLE_ACCESS.ingest].sort()).toEqual([...lambdas].sort());
  });

  it('grants the task what convert, results, files and the key check do, and nothing else', () => {
    const statements = roleStatements(template(), taskRole());
    const summary = statements.map((s) => [actionsOf(s).join(' '), JSON.stringify(s.Resource)]);
    const find = (actions: string) => summary.filter(([a]) => a === actions).map(([, r]) => r);
    // Jobs table: createJob (PutItem) and getJob (Query), on the table only.
    expect(find('dynamodb:PutItem dynamodb:Query')).toHaveLength(1);
    expect(find('dynamodb:PutItem dynamodb:Query')[0]).toContain('Tablescutoutjobs');
    // Keys table: the hash lookup only.
    expect(find('dynamodb:GetItem')).toHaveLength(1);
    expect(find('dynamodb:GetItem')[0]).toContain('Tablescutoutkeys');
    // Inputs: stream under jobs/ (and abort or remove what a failed request left).
    const inputs = find('s3:AbortMultipartUpload s3:DeleteObject s3:PutObject');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatch(/cutout-dev-inputs-.*\/jobs\/\*/);
    // Outputs: read results.
    expect(find('s3:GetObject')).toHaveLength(1);
    expect(find('s3:GetObject')[0]).toContain('cutout-dev-outputs-');
    expect(find('s3:ListBucket')).toHaveLength(1);
    // Both queues: send.
    const send = find('sqs:GetQueueAttributes sqs:GetQueueUrl sqs:SendMessage');
    expect(send).toHaveLength(1);
    expect(send[0]).toContain('Queuescutoutimage');
    expect(send[0]).toContain('Queuescutoutvideo');
    expect(statements).toHaveLength(6);
    // No wildcard actions, no whole-service grants.
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
      expect(statement.Effect).toBe('Allow');
    }
  });
});

describe('streaming door, ingestHttps=certificate: alarms', () => {
  it('alarms on load balancer 5xx, the service 5xx rate, unhealthy or no healthy tasks, and slow answers, to the alarm topic', () => {
    const alarms = resourcesOfType(template(), 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.includes(DOOR),
    );
    const [topicId] = only(template(), 'AWS::SNS::Topic');
    const byName = new Map(
      alarms.map(([id, alarm]) => [
        id.replace(/^StreamingDoorAlarms/, '').replace(/[A-F0-9]{8}$/, ''),
        alarm,
      ]),
    );
    expect([...byName.keys()].sort()).toEqual(
      [
        'ingest5xxrate',
        'ingestloadbalancer5xx',
        'ingestnohealthytask',
        'ingestslowresponses',
        'ingestunhealthytasks',
      ].sort(),
    );
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions.map(referenced)).toEqual([topicId]);
      expect(alarm.Properties.OKActions.map(referenced)).toEqual([topicId]);
    }
    expect(byName.get('ingestloadbalancer5xx')?.Properties).toMatchObject({
      MetricName: 'HTTPCode_ELB_5XX_Count',
      Namespace: 'AWS/ApplicationELB',
    });
    expect(byName.get('ingestnohealthytask')?.Properties).toMatchObject({
      MetricName: 'HealthyHostCount',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect(byName.get('ingestunhealthytasks')?.Properties.MetricName).toBe('UnHealthyHostCount');
    expect(byName.get('ingestslowresponses')?.Properties).toMatchObject({
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p50',
    });
    const rate = byName.get('ingest5xxrate')?.Properties.Metrics as CfnJson[];
    const names = rate.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName);
    expect(names.sort()).toEqual(['HTTPCode_Target_5XX_Count', 'RequestCount']);
  });
});
