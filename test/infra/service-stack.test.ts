import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LOG_LEVEL_ENV } from '../../adapters/observability/log.ts';
import { WORKER_ENV } from '../../containers/worker/env.ts';
import { LOG_METRIC_NAMES, METRIC_NAMES, METRICS_NAMESPACE } from '../../core/config/metrics.ts';
import { ENV, S3_PREFIX } from '../../core/config/resources.ts';
import { ERROR_CODES, type ErrorCode } from '../../core/errors.ts';
import { WEBHOOK_ENV } from '../../core/webhooks/webhook-settings.ts';
import { UNAUTHORIZED_BODY } from '../../functions/authorizer/unauthorized.ts';
import { HTTP_STATUS } from '../../functions/shared/http.ts';
import { API_BINARY_MEDIA_TYPES, API_STAGE } from '../../infra/constructs/job-api.ts';
import { FUNCTION_NAMES } from '../../infra/constructs/node-function.ts';
import { SERVICE_OUTPUTS } from '../../infra/stacks/service-stack.ts';
import {
  type CfnJson,
  type CfnResource,
  resourcesOfType,
  synthesizedForFile,
} from './support/test-app.ts';

// One synth for the whole file (it is slow), with cdk-nag on: an unacknowledged AwsSolutions
// finding makes the synth, and so every test here, fail with the finding's report.
const built = synthesizedForFile(
  { 'cutout:maxImageWorkers': 4, 'cutout:maxVideoWorkers': 2 },
  { nag: true },
);
const resources = (type: string) => resourcesOfType(built.serviceTemplate, type);
const one = (type: string, idPart: string): [string, CfnResource] => {
  const found = resources(type).filter(([id]) => id.includes(idPart));
  expect(found, `${type} ${idPart}`).toHaveLength(1);
  return found[0] as [string, CfnResource];
};
const functionNamed = (name: string): [string, CfnResource] => {
  const found = resources('AWS::Lambda::Function').filter(
    ([, fn]) =>
      String(fn.Properties.Description ?? '').length > 0 &&
      fn.Properties.Handler === 'index.handler',
  );
  const match = found.find(([id]) => id.toLowerCase().includes(name.replace(/-/g, '')));
  expect(match, `function ${name}`).toBeDefined();
  return match as [string, CfnResource];
};

describe('cdk-nag AwsSolutions (GPU workers, dev)', () => {
  it('ran over the app, and every finding is acknowledged with a reason', () => {
    const findings = built.summary.nagFindings;
    expect(findings).toBeDefined();
    expect(findings?.filter((f) => (f.reason ?? '').length < 20)).toEqual([]);
  });
});

describe('REST API', () => {
  it('takes the usage identifier from the authorizer and passes bodies as binary', () => {
    built.serviceTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', {
      ApiKeySourceType: 'AUTHORIZER',
      BinaryMediaTypes: [...API_BINARY_MEDIA_TYPES],
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it('checks Authorization with a cached Lambda REQUEST authorizer', () => {
    const [authorizerId] = functionNamed('authorizer');
    built.serviceTemplate.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [authorizerId, 'Arn'] }])]),
      }),
    });
  });

  it('serves /v1/convert (authorized, key required), /v1/results and /v1/files/{uuid}/{name}', () => {
    const paths = resources('AWS::ApiGateway::Resource').map(([, r]) => r.Properties.PathPart);
    expect(paths.sort()).toEqual(
      ['convert', 'files', 'openapi.json', 'results', '{name}', '{uuid}'].sort(),
    );
    built.serviceTemplate.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: API_STAGE });

    const methods = resources('AWS::ApiGateway::Method').map(([, m]) => m.Properties);
    const convert = methods.find(
      (m) => m.HttpMethod === 'POST' && m.AuthorizationType === 'CUSTOM',
    );
    expect(convert).toMatchObject({
      ApiKeyRequired: true,
      RequestParameters: { 'method.request.header.Authorization': true },
    });
    const open = methods.filter((m) => m.AuthorizationType === 'NONE');
    expect(open.map((m) => m.HttpMethod).sort()).toEqual(['GET', 'GET', 'POST']);
    for (const m of open) expect(m.ApiKeyRequired).not.toBe(true);
    for (const m of methods) expect(m.Integration.Type).toBe('AWS_PROXY');
  });

  it('serves GET /v1/openapi.json, open, from the results function', () => {
    const [resourceId] =
      resources('AWS::ApiGateway::Resource').find(
        ([, r]) => r.Properties.PathPart === 'openapi.json',
      ) ?? [];
    const method = resources('AWS::ApiGateway::Method')
      .map(([, m]) => m.Properties)
      .find((m) => m.ResourceId?.Ref === resourceId);
    expect(method).toMatchObject({ HttpMethod: 'GET', AuthorizationType: 'NONE' });
    const uri = JSON.stringify(method?.Integration.Uri);
    const [resultsId] =
      resources('AWS::Lambda::Function').find(([id]) => /ApiResults/.test(id)) ?? [];
    expect(resultsId).toBeDefined();
    expect(uri).toContain(String(resultsId));
  });

  it('throttles and meters each key through a usage plan on the stage', () => {
    built.serviceTemplate.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 10, BurstLimit: 20 },
      Quota: { Limit: 10_000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
  });

  it('writes JSON access logs and error-level execution logs', () => {
    built.serviceTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ResourcePath: '/*', LoggingLevel: 'ERROR', MetricsEnabled: true }),
      ]),
    });
  });

  it('answers API Gateway rejections in the API’s {"error": ...} shape', () => {
    const unauthorized = resources('AWS::ApiGateway::GatewayResponse').find(
      ([, r]) => r.Properties.ResponseType === 'UNAUTHORIZED',
    );
    expect(unauthorized?.[1].Properties).toMatchObject({
      StatusCode: '401',
      ResponseTemplates: { 'application/json': expect.stringMatching(/^\{"error": /) },
    });
    const denied = resources('AWS::ApiGateway::GatewayResponse').find(
      ([, r]) => r.Properties.ResponseType === 'ACCESS_DENIED',
    );
    expect(denied?.[1].Properties.StatusCode).toBe('401');
    // A 401 carries its code like every other error, the same body the local stack sends.
    for (const response of [unauthorized, denied]) {
      const templates = response?.[1].Properties.ResponseTemplates as Record<string, string>;
      expect(JSON.parse(templates?.['application/json'] ?? '')).toEqual(UNAUTHORIZED_BODY);
    }
  });

  it('gives every gateway rejection a code whose HTTP status is the one sent', () => {
    const byType = new Map(
      resources('AWS::ApiGateway::GatewayResponse').map(([, r]) => {
        const templates = r.Properties.ResponseTemplates as Record<string, string>;
        // API Gateway substitutes its own message, already quoted, for the context variable.
        const rendered = (templates['application/json'] ?? '').replaceAll(
          '$context.error.messageString',
          JSON.stringify('Missing Authentication Token'),
        );
        const body = JSON.parse(rendered) as { error: unknown; code: unknown };
        return [
          String(r.Properties.ResponseType),
          { status: r.Properties.StatusCode as string | undefined, body },
        ];
      }),
    );
    const codes = Object.fromEntries([...byType].map(([type, { body }]) => [type, body.code]));
    expect(codes).toEqual({
      UNAUTHORIZED: 'UNAUTHORIZED',
      ACCESS_DENIED: 'UNAUTHORIZED',
      INVALID_API_KEY: 'FORBIDDEN',
      THROTTLED: 'RATE_LIMITED',
      QUOTA_EXCEEDED: 'RATE_LIMITED',
      REQUEST_TOO_LARGE: 'INPUT_TOO_LARGE',
      MISSING_AUTHENTICATION_TOKEN: 'NOT_FOUND',
      DEFAULT_4XX: 'INVALID_REQUEST',
      DEFAULT_5XX: 'INTERNAL',
    });
    for (const [type, { status, body }] of byType) {
      expect(typeof body.error, type).toBe('string');
      expect(ERROR_CODES, type).toContain(body.code);
      if (status !== undefined) {
        expect(String(HTTP_STATUS[body.code as ErrorCode]), type).toBe(status);
      }
    }
  });
});

describe('Lambdas', () => {
  it('runs every handler on Node 22, arm64, with JSON logs into a retained log group', () => {
    for (const name of FUNCTION_NAMES) {
      const [, fn] = functionNamed(name);
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
        Environment: {
          Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }),
        },
      });
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(
        built.serviceTemplate.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties,
      ).toMatchObject({
        RetentionInDays: 30,
      });
    }
  });

  it('hands each handler the resource names its env schema reads', () => {
    const env = (name: string) =>
      Object.keys(functionNamed(name)[1].Properties.Environment.Variables as object);
    expect(env('convert')).toEqual(
      expect.arrayContaining([
        ENV.jobsTable,
        ENV.inputBucket,
        ENV.imageQueueUrl,
        ENV.videoQueueUrl,
        ENV.jobTtlDays,
        ENV.inlineLimitBytes,
      ]),
    );
    // The authorizer's context names the key: convert never reads the keys table.
    expect(env('convert')).not.toContain(ENV.keysTable);
    expect(env('results')).toEqual(expect.arrayContaining([ENV.jobsTable, ENV.outputBucket]));
    expect(env('files')).toEqual(expect.arrayContaining([ENV.jobsTable, ENV.outputBucket]));
    expect(env('authorizer')).toEqual(expect.arrayContaining([ENV.keysTable]));
    expect(env('authorizer')).not.toContain(ENV.jobsTable);
    expect(env('on-upload')).toEqual(
      expect.arrayContaining([
        ENV.jobsTable,
        ENV.inputBucket,
        ENV.imageQueueUrl,
        ENV.videoQueueUrl,
      ]),
    );
    // The webhooks queue: a file it fails may finish its job (docs/webhooks.md).
    expect(env('on-dead-letter')).toEqual([
      ENV.jobsTable,
      'NODE_OPTIONS',
      WEBHOOK_ENV.queueUrl,
      LOG_LEVEL_ENV,
    ]);
  });

  it('grants object access by exact action, never s3:* families', () => {
    for (const [, policy] of resources('AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement as { Action: unknown }[]) {
        const actions = ([] as unknown[]).concat(statement.Action);
        for (const action of actions) {
          if (typeof action === 'string' && action.startsWith('s3:')) {
            expect(action, JSON.stringify(statement)).not.toContain('*');
          }
        }
      }
    }
  });

  it('lets convert put objects only under jobs/ of the inputs bucket', () => {
    const [, role] = functionNamed('convert');
    const roleRef = role.Properties.Role['Fn::GetAtt'][0];
    const policy = resources('AWS::IAM::Policy').find(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(roleRef),
    );
    const statements = policy?.[1].Properties.PolicyDocument.Statement as Record<string, CfnJson>[];
    const put = statements.find((s) => s.Action === 's3:PutObject');
    expect(JSON.stringify(put?.Resource)).toContain(`-inputs-`);
    expect(JSON.stringify(put?.Resource)).toContain(`/${S3_PREFIX.jobs}*`);
  });
});

describe('upload and dead-letter events', () => {
  it('invokes on-upload for ObjectCreated under jobs/ and incoming/ of the inputs bucket', () => {
    const [onUploadId] = functionNamed('on-upload');
    const [, notifications] = one('Custom::S3BucketNotifications', '');
    const configs = notifications.Properties.NotificationConfiguration
      .LambdaFunctionConfigurations as Record<string, CfnJson>[];
    expect(configs.map((c) => c.Filter.Key.FilterRules[0].Value).sort()).toEqual(
      [S3_PREFIX.incoming, S3_PREFIX.jobs].sort(),
    );
    for (const c of configs) {
      expect(c.Events).toEqual(['s3:ObjectCreated:*']);
      expect(c.LambdaFunctionArn).toEqual({ 'Fn::GetAtt': [onUploadId, 'Arn'] });
    }
    expect(JSON.stringify(notifications.Properties.BucketName)).toContain('cutout-dev-inputs-');
    built.serviceTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 's3.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [onUploadId, 'Arn'] },
    });
  });

  it('drains both dead-letter queues into on-dead-letter with partial batch failures', () => {
    const [onDeadLetterId] = functionNamed('on-dead-letter');
    // The third mapping is the webhooks queue's (test/infra/webhook-delivery.test.ts).
    expect(resources('AWS::Lambda::EventSourceMapping')).toHaveLength(3);
    const mappings = resources('AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties)
      .filter((m) => JSON.stringify(m.FunctionName).includes(onDeadLetterId));
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      expect(m).toMatchObject({
        FunctionName: { Ref: onDeadLetterId },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
    const sources = JSON.stringify(mappings.map((m) => m.EventSourceArn));
    expect(sources).toContain('cutoutimagedlq');
    expect(sources).toContain('cutoutvideodlq');
  });
});

describe('GPU workers', () => {
  it('launches single-GPU hosts from the ECS GPU AMI, IMDSv2 only, encrypted disk', () => {
    const [, template_] = one('AWS::EC2::LaunchTemplate', 'GpuLaunchTemplate');
    const data = template_.Properties.LaunchTemplateData;
    expect(data.MetadataOptions).toMatchObject({
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
    });
    expect(data.BlockDeviceMappings).toEqual([
      expect.objectContaining({
        Ebs: expect.objectContaining({ Encrypted: true, VolumeType: 'gp3' }),
      }),
    ]);
    const parameter = data.ImageId.Ref as string;
    expect(built.serviceTemplate.toJSON().Parameters[parameter]).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: '/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id',
    });
  });

  it('scales the GPU Auto Scaling group from zero over g6/g5/g4dn, spot first', () => {
    built.serviceTemplate.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '6',
      NewInstancesProtectedFromScaleIn: true,
      DesiredCapacity: Match.absent(),
      MixedInstancesPolicy: {
        LaunchTemplate: Match.objectLike({
          Overrides: [
            { InstanceType: 'g6.xlarge' },
            { InstanceType: 'g5.xlarge' },
            { InstanceType: 'g4dn.xlarge' },
          ],
        }),
        InstancesDistribution: {
          OnDemandBaseCapacity: 0,
          OnDemandPercentageAboveBaseCapacity: 0,
          OnDemandAllocationStrategy: 'prioritized',
          SpotAllocationStrategy: 'price-capacity-optimized',
        },
      },
      NotificationConfigurations: [Match.objectLike({ TopicARN: Match.anyValue() })],
    });
  });

  it('attaches it as a capacity provider with managed scaling and termination protection', () => {
    built.serviceTemplate.hasResourceProperties('AWS::ECS::CapacityProvider', {
      Name: 'cutout-dev-gpu',
      AutoScalingGroupProvider: {
        ManagedScaling: Match.objectLike({
          Status: 'ENABLED',
          TargetCapacity: 100,
          InstanceWarmupPeriod: 60,
        }),
        ManagedTerminationProtection: 'ENABLED',
      },
    });
    built.serviceTemplate.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('reserves one GPU per worker task, EC2 only, bridge networking', () => {
    const tasks = resources('AWS::ECS::TaskDefinition').map(([, t]) => t.Properties);
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task).toMatchObject({ RequiresCompatibilities: ['EC2'], NetworkMode: 'bridge' });
      const [container] = task.ContainerDefinitions;
      expect(container.ResourceRequirements).toEqual([{ Type: 'GPU', Value: '1' }]);
      expect(container.StopTimeout).toBe(120);
      expect(container.HealthCheck.Command[0]).toBe('CMD');
      expect(container.LogConfiguration).toMatchObject({
        LogDriver: 'awslogs',
        Options: expect.objectContaining({ mode: 'non-blocking' }),
      });
      const env = Object.fromEntries(
        (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
      );
      expect(env).toMatchObject({
        CUTOUT_ORT_PROVIDERS: 'cuda',
        CUTOUT_MODEL_DOWNLOAD: 'false',
        NVIDIA_DRIVER_CAPABILITIES: 'compute,utility,video',
      });
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([ENV.jobsTable, ENV.inputBucket, ENV.outputBucket, ENV.modelDir]),
      );
    }
  });

  it('gives each queue its own worker service consuming only that queue', () => {
    const envs = resources('AWS::ECS::TaskDefinition').map(([, t]) =>
      Object.fromEntries(
        (
          t.Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]
        ).map((e) => [e.Name, e.Value]),
      ),
    );
    const image = envs.find((e) => ENV.imageQueueUrl in e);
    const video = envs.find((e) => ENV.videoQueueUrl in e);
    expect(image?.[WORKER_ENV.queues]).toBe('image');
    expect(video?.[WORKER_ENV.queues]).toBe('video');
    expect(image).not.toHaveProperty(ENV.videoQueueUrl);
    expect(video).not.toHaveProperty(ENV.imageQueueUrl);
  });

  it('starts the services at zero tasks on the GPU capacity provider', () => {
    const [providerId] = one('AWS::ECS::CapacityProvider', 'GpuCapacity');
    const services = resources('AWS::ECS::Service');
    expect(services).toHaveLength(2);
    for (const [, service] of services) {
      expect(service.Properties).toMatchObject({
        DesiredCount: 0,
        CapacityProviderStrategy: [{ CapacityProvider: { Ref: providerId }, Weight: 1 }],
        DeploymentConfiguration: expect.objectContaining({
          MinimumHealthyPercent: 0,
          MaximumPercent: 100,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        }),
      });
      expect(service.Properties.LaunchType).toBeUndefined();
      expect(service.DependsOn).toEqual(
        expect.arrayContaining([expect.stringMatching(/^WorkersCluster/)]),
      );
    }
  });

  it('scales each service 0..max on its queue backlog (visible + in flight, 1 minute)', () => {
    const targets = resources('AWS::ApplicationAutoScaling::ScalableTarget').map(
      ([, t]) => t.Properties,
    );
    expect(targets.map((t) => [t.MinCapacity, t.MaxCapacity]).sort()).toEqual([
      [0, 2],
      [0, 4],
    ]);
    const policies = resources('AWS::ApplicationAutoScaling::ScalingPolicy').map(
      ([id, p]) => [id, p.Properties] as const,
    );
    expect(policies).toHaveLength(4);
    expect(policies.every(([, p]) => p.PolicyType === 'StepScaling')).toBe(true);
    const out = policies.filter(([id]) => id.includes('ScaleOutOnBacklog'));
    const idle = policies.filter(([id]) => id.includes('ScaleInWhenIdle'));
    for (const [, p] of out) {
      expect(p.StepScalingPolicyConfiguration).toMatchObject({
        AdjustmentType: 'ExactCapacity',
        StepAdjustments: expect.arrayContaining([
          expect.objectContaining({ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }),
        ]),
      });
    }
    for (const [, p] of idle) {
      expect(p.StepScalingPolicyConfiguration).toMatchObject({
        AdjustmentType: 'PercentChangeInCapacity',
        StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -100 }],
      });
    }
    // No CPU target tracking: it fights scale-to-zero.
    expect(policies.some(([, p]) => p.PolicyType === 'TargetTrackingScaling')).toBe(false);
  });

  it('starts a worker at the first message and stops only after 15 idle minutes', () => {
    const scaling = resources('AWS::CloudWatch::Alarm').filter(([id]) => id.includes('TaskCount'));
    expect(scaling).toHaveLength(4);
    for (const [id, alarm] of scaling) {
      const metrics = alarm.Properties.Metrics as Record<string, CfnJson>[];
      expect(metrics[0]?.Expression).toBe('FILL(visible, 0) + FILL(inflight, 0)');
      const names = metrics
        .slice(1)
        .map((m) => m.MetricStat.Metric.MetricName)
        .sort();
      expect(names).toEqual([
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesVisible',
      ]);
      for (const m of metrics.slice(1)) expect(m.MetricStat.Period).toBe(60);
      if (id.includes('ScaleOut')) {
        expect(alarm.Properties).toMatchObject({
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          EvaluationPeriods: 1,
        });
      } else {
        expect(alarm.Properties).toMatchObject({
          ComparisonOperator: 'LessThanOrEqualToThreshold',
          Threshold: 0,
          EvaluationPeriods: 15,
          DatapointsToAlarm: 15,
        });
      }
    }
  });

  it('lets workers consume their queue and read and write job objects, nothing broader', () => {
    const taskRoles = resources('AWS::IAM::Policy').filter(([id]) => id.includes('TaskRole'));
    expect(taskRoles).toHaveLength(2);
    for (const [, policy] of taskRoles) {
      const actions = (policy.Properties.PolicyDocument.Statement as { Action: unknown }[]).flatMap(
        (s) => ([] as unknown[]).concat(s.Action),
      );
      expect(actions).toEqual(
        expect.arrayContaining([
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          's3:GetObject',
          's3:PutObject',
          'dynamodb:UpdateItem',
        ]),
      );
      // Sending only to the webhooks queue (a finished job's event), never to a work queue.
      const sends = (
        policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]
      ).filter((s) => ([] as unknown[]).concat(s.Action).includes('sqs:SendMessage'));
      expect(sends).toHaveLength(1);
      expect(JSON.stringify(sends[0]?.Resource)).toMatch(/Webhookscutoutwebhooks/);
      // ECS: task scale-in protection only.
      expect(actions.filter((a) => String(a).startsWith('ecs:')).sort()).toEqual([
        'ecs:GetTaskProtection',
        'ecs:UpdateTaskProtection',
      ]);
    }
  });

  it('keeps workers in a NAT-less VPC with S3 and DynamoDB gateway endpoints', () => {
    built.serviceTemplate.resourceCountIs('AWS::EC2::NatGateway', 0);
    built.serviceTemplate.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    built.serviceTemplate.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    const [, sg] = one('AWS::EC2::SecurityGroup', 'HostSecurityGroup');
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });
});

describe('monitoring', () => {
  const alarmsWith = (text: string) =>
    resources('AWS::CloudWatch::Alarm').filter(([, a]) =>
      JSON.stringify(a.Properties).includes(text),
    );

  it('alarms on dead-letter depth and on files reaching the dead-letter queues', () => {
    const visible = alarmsWith('ApproximateNumberOfMessagesVisible').filter(([, a]) =>
      JSON.stringify(a.Properties.Dimensions ?? '').includes('dlq'),
    );
    // Image, video and webhooks dead-letter queues.
    expect(visible).toHaveLength(3);
    const received = alarmsWith('NumberOfMessagesReceived');
    expect(received).toHaveLength(2);
    for (const [, a] of [...visible, ...received]) {
      expect(a.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
      });
    }
  });

  it('alarms when the oldest message waits too long (cold starts allowed for)', () => {
    const ages = alarmsWith('ApproximateAgeOfOldestMessage').map(([, a]) => a.Properties.Threshold);
    expect(ages.sort((a, b) => a - b)).toEqual([15 * 60, 60 * 60]);
  });

  it('alarms on the worker failure rate from the EMF metrics, per kind', () => {
    const rates = alarmsWith(METRIC_NAMES.filesFailed);
    expect(rates).toHaveLength(2);
    for (const [, a] of rates) {
      const metrics = a.Properties.Metrics as Record<string, CfnJson>[];
      expect(metrics[0]?.Expression).toMatch(/100 \* failed \/ \(ok \+ failed\)/);
      expect(metrics.slice(1).map((m) => m.MetricStat.Metric.Namespace)).toEqual([
        METRICS_NAMESPACE,
        METRICS_NAMESPACE,
      ]);
    }
  });

  it('counts worker error log lines and alarms on them', () => {
    const filters = resources('AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    expect(filters).toHaveLength(2);
    for (const f of filters) {
      expect(f).toMatchObject({
        FilterPattern: '{ $.level = "error" }',
        MetricTransformations: [
          expect.objectContaining({
            MetricNamespace: METRICS_NAMESPACE,
            MetricName: LOG_METRIC_NAMES.workerErrors,
          }),
        ],
      });
    }
    expect(alarmsWith(LOG_METRIC_NAMES.workerErrors)).toHaveLength(1);
  });

  it('alarms on each Lambda’s error rate and on API 5xx', () => {
    expect(alarmsWith('100 * errors / calls')).toHaveLength(FUNCTION_NAMES.length);
    expect(alarmsWith('5XXError')).toHaveLength(1);
    for (const [, alarm] of resources('AWS::CloudWatch::Alarm')) {
      if (String(alarm.Properties.AlarmDescription).includes('scaling alarm')) continue;
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('draws one dashboard covering the API, queues, workers and models', () => {
    const [, dashboard] = one('AWS::CloudWatch::Dashboard', '');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const text of [
      'API requests',
      'Queue backlog',
      'Dead-letter queues',
      'Running workers',
      METRIC_NAMES.processingDuration,
      'SEARCH(',
    ]) {
      expect(body).toContain(text);
    }
  });
});

describe('outputs', () => {
  it('publishes the endpoint, names and the first-key command', () => {
    const outputs = built.serviceTemplate.findOutputs('*');
    for (const key of Object.values(SERVICE_OUTPUTS)) expect(outputs[key], key).toBeDefined();
    expect(outputs[SERVICE_OUTPUTS.createFirstKey]?.Value).toBe(
      `npx cutout keys create --stack ${built.summary.serviceStack} --name first-key`,
    );
    expect(JSON.stringify(outputs[SERVICE_OUTPUTS.apiEndpoint]?.Value)).toContain('execute-api');
  });
});
