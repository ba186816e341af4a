import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INLINE_LIMIT_BYTES } from '../../core/config/inline-limit.ts';
import { TASK_METRIC_NAMES } from '../../core/config/metrics.ts';
import { ENV } from '../../core/config/resources.ts';
import {
  AVAILABLE_MODELS_ENV,
  BIND_RESULTS_ENV,
  COMMERCIAL_SAFE_ONLY_ENV,
} from '../../functions/shared/env-schema.ts';
import { SPOT_DRAINING_USER_DATA } from '../../infra/constructs/worker-cluster.ts';
import {
  type CfnJson,
  removeOutput,
  SYNTH_TIMEOUT_MS,
  type SynthesizedApp,
  synthesizeApp,
} from './support/test-app.ts';

/**
 * Issue 10, AWS limits and deploy correctness, checked on the synthesized templates: the
 * defaults (`cdk.json`) in one synth, the opt-in settings in another.
 */

type Resources = Record<string, { Type: string; Properties: Record<string, CfnJson> } & CfnJson>;

let defaults: SynthesizedApp;
let opted: SynthesizedApp;
beforeAll(async () => {
  [defaults, opted] = await Promise.all([
    synthesizeApp(),
    synthesizeApp({
      'cutout:bindResultsToKey': true,
      'cutout:commercialSafeOnly': true,
      'cutout:spot': false,
      'cutout:workerModels': 'u2net,isnet-general-use',
      'cutout:pollRateLimit': 7,
      'cutout:pollBurstLimit': 9,
    }),
  ]);
}, SYNTH_TIMEOUT_MS);
afterAll(async () => {
  await removeOutput(defaults?.outdir);
  await removeOutput(opted?.outdir);
});

const all = (app: SynthesizedApp, stack: 'service' | 'storage' | 'account'): Resources =>
  (stack === 'service'
    ? app.serviceTemplate
    : stack === 'storage'
      ? app.storageTemplate
      : app.accountTemplate
  ).toJSON().Resources as Resources;
const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

/** The handler function whose logical id names `name` (the API ones sit under `Api`). */
function fn(app: SynthesizedApp, name: string): Record<string, CfnJson> {
  const found = ofType(all(app, 'service'), 'AWS::Lambda::Function').filter(([id]) =>
    id.startsWith(name),
  );
  expect(found, name).toHaveLength(1);
  return found[0]?.[1].Properties as Record<string, CfnJson>;
}
const envOf = (app: SynthesizedApp, name: string) =>
  fn(app, name).Environment.Variables as Record<string, CfnJson>;

/** Every statement of the policies attached to the role `roleRef` names. */
function statementsOf(app: SynthesizedApp, roleRef: string): Record<string, CfnJson>[] {
  return ofType(all(app, 'service'), 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleRef}"`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, CfnJson>[]);
}
const roleOf = (app: SynthesizedApp, name: string) => fn(app, name).Role['Fn::GetAtt'][0] as string;
const actions = (statements: Record<string, CfnJson>[], prefix: string) =>
  statements
    .flatMap((s) => ([] as string[]).concat(s.Action))
    .filter((a) => a.startsWith(prefix))
    .sort();

describe('inline requests fit Lambda’s 6 MB event', () => {
  it('hands convert the 4.39 MiB default limit and states it in the API’s own 413', () => {
    expect(envOf(defaults, 'ApiConvert')[ENV.inlineLimitBytes]).toBe(
      String(MAX_INLINE_LIMIT_BYTES),
    );
    const tooLarge = ofType(all(defaults, 'service'), 'AWS::ApiGateway::GatewayResponse').find(
      ([, r]) => r.Properties.ResponseType === 'REQUEST_TOO_LARGE',
    );
    expect(tooLarge?.[1].Properties.StatusCode).toBe('413');
    expect(tooLarge?.[1].Properties.ResponseTemplates['application/json']).toMatch(
      /4\.39 MiB \(4603904 bytes\) per request; send an uploads list/,
    );
  });
});

describe('worker tasks', () => {
  const taskRoleStatements = (app: SynthesizedApp) =>
    ofType(all(app, 'service'), 'AWS::IAM::Policy')
      .filter(([id]) => id.includes('TaskTaskRole'))
      .map(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, CfnJson>[]);

  it('may set and read their own task scale-in protection, on this cluster’s tasks only', () => {
    const roles = taskRoleStatements(defaults);
    expect(roles).toHaveLength(2);
    for (const statements of roles) {
      const protection = statements.find((s) =>
        ([] as string[]).concat(s.Action).includes('ecs:UpdateTaskProtection'),
      );
      expect(protection?.Action).toEqual(['ecs:GetTaskProtection', 'ecs:UpdateTaskProtection']);
      const resource = JSON.stringify(protection?.Resource);
      expect(resource).toContain(':task/');
      expect(resource).toMatch(/"Ref":"WorkersCluster[0-9A-F]+"\},"\/\*"/);
    }
  });

  it('alarm when a task cannot protect itself', () => {
    const alarms = ofType(all(defaults, 'service'), 'AWS::CloudWatch::Alarm').filter(([, a]) =>
      JSON.stringify(a.Properties).includes(
        `"MetricName":"${TASK_METRIC_NAMES.taskProtectionFailures}","Namespace":"Cutout"`,
      ),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.[1].Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [expect.anything()],
    });
  });

  it('know their region from the task definition', () => {
    const tasks = ofType(all(defaults, 'service'), 'AWS::ECS::TaskDefinition');
    expect(tasks).toHaveLength(2);
    for (const [, task] of tasks) {
      const environment = task.Properties.ContainerDefinitions[0].Environment as CfnJson[];
      expect(environment).toContainEqual({ Name: 'AWS_REGION', Value: { Ref: 'AWS::Region' } });
    }
  });

  it(
    'refuse the same image sizes as /v1/convert (the configured cap reaches both)',
    async () => {
      const capped = await synthesizeApp({ 'cutout:maxImageBytes': 12_345_678 });
      try {
        expect(envOf(capped, 'ApiConvert')[ENV.maxImageBytes]).toBe('12345678');
        const tasks = ofType(all(capped, 'service'), 'AWS::ECS::TaskDefinition');
        expect(tasks).toHaveLength(2);
        for (const [, task] of tasks) {
          const environment = task.Properties.ContainerDefinitions[0].Environment as CfnJson[];
          expect(environment).toContainEqual({ Name: ENV.maxImageBytes, Value: '12345678' });
        }
      } finally {
        await removeOutput(capped.outdir);
      }
    },
    SYNTH_TIMEOUT_MS,
  );

  it('talk HTTPS only: every worker security group allows egress on 443 and nothing in', () => {
    // image_url fetches go out the same way: https only, public addresses only (nothing set).
    for (const [, task] of ofType(all(defaults, 'service'), 'AWS::ECS::TaskDefinition')) {
      const names = (task.Properties.ContainerDefinitions[0].Environment as CfnJson[]).map(
        (e) => e.Name,
      );
      expect(names).not.toContain('CUTOUT_OUTBOUND_ALLOW_HTTP');
      expect(names).not.toContain('CUTOUT_OUTBOUND_ALLOW_CIDRS');
    }
    expect(envOf(defaults, 'ApiConvert').CUTOUT_OUTBOUND_ALLOW_HTTP).toBeUndefined();
    const groups = ofType(all(defaults, 'service'), 'AWS::EC2::SecurityGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const [id, group] of groups) {
      expect(group.Properties.SecurityGroupIngress, id).toBeUndefined();
      expect(group.Properties.SecurityGroupEgress, id).toEqual([
        expect.objectContaining({
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
        }),
      ]);
    }
  });

  it('build the image with the models /v1/convert is told about', async () => {
    for (const [app, models] of [
      [defaults, ['u2net', 'u2netp', 'u2net_human_seg']],
      [opted, ['u2net', 'isnet-general-use']],
    ] as const) {
      const assets = JSON.parse(
        await readFile(join(app.outdir, `${app.summary.serviceStack}.assets.json`), 'utf8'),
      );
      const images = Object.values(assets.dockerImages) as CfnJson[];
      expect(images.map((i) => i.source.dockerBuildArgs)).toEqual([{ MODELS: models.join(' ') }]);
      expect(envOf(app, 'ApiConvert')[AVAILABLE_MODELS_ENV]).toBe(models.join(','));
    }
  });
});

describe('GPU hosts', () => {
  const userData = (app: SynthesizedApp) =>
    JSON.stringify(
      ofType(all(app, 'service'), 'AWS::EC2::LaunchTemplate')[0]?.[1].Properties.LaunchTemplateData
        .UserData,
    );

  it('drain on a spot interruption notice (the mixed-instances group gets the agent setting)', () => {
    expect(userData(defaults)).toContain(SPOT_DRAINING_USER_DATA);
    expect(userData(defaults)).toContain('ECS_CLUSTER=');
    expect(userData(opted)).not.toContain('ECS_ENABLE_SPOT_INSTANCE_DRAINING');
  });
});

describe('least privilege', () => {
  it('gives each role exactly the DynamoDB actions its code calls', () => {
    const dynamo = (name: string) =>
      actions(statementsOf(defaults, roleOf(defaults, name)), 'dynamodb:');
    expect(dynamo('ApiConvert')).toEqual(['dynamodb:PutItem']);
    expect(dynamo('ApiResults')).toEqual(['dynamodb:Query']);
    expect(dynamo('ApiFiles')).toEqual(['dynamodb:Query']);
    expect(dynamo('ApiAuthorizer')).toEqual(['dynamodb:GetItem']);
    // Query: after failing a file it reads the job, whose webhook event may now be due.
    expect(dynamo('DeadLetters')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    // GetItem/PutItem: the signing secrets' own items (limited by prefix; docs/webhooks.md).
    expect([...new Set(dynamo('WebhooksDeliverWebhook'))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    // No role anywhere keeps the grant families' extras.
    for (const [id, policy] of ofType(all(defaults, 'service'), 'AWS::IAM::Policy')) {
      const all = actions(policy.Properties.PolicyDocument.Statement, 'dynamodb:');
      const allowed = [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ];
      for (const action of all) {
        expect(allowed, id).toContain(action);
      }
    }
  });

  it('lets the dead-letter handler hide a record while its file is leased (ChangeMessageVisibility)', () => {
    // Without it the deferral fails with AccessDenied and the record loops back at once.
    const sqs = actions(statementsOf(defaults, roleOf(defaults, 'DeadLetters')), 'sqs:');
    expect(sqs).toContain('sqs:ChangeMessageVisibility');
  });

  it('keeps the keys table away from convert: no permission, no table name', () => {
    const convert = JSON.stringify(statementsOf(defaults, roleOf(defaults, 'ApiConvert')));
    expect(convert).not.toMatch(/cutoutkeys/i);
    expect(envOf(defaults, 'ApiConvert')).not.toHaveProperty(ENV.keysTable);
    const authorizer = JSON.stringify(statementsOf(defaults, roleOf(defaults, 'ApiAuthorizer')));
    expect(authorizer).toMatch(/cutoutkeys/i);
  });
});

describe('log retention', () => {
  for (const stack of ['service', 'storage'] as const) {
    it(`sends every Lambda of the ${stack} stack, CDK's helpers included, to a group with retention`, () => {
      const resources = all(defaults, stack);
      const functions = ofType(resources, 'AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThan(0);
      for (const [id, f] of functions) {
        const group = f.Properties.LoggingConfig?.LogGroup?.Ref as string | undefined;
        expect(group, id).toBeDefined();
        expect(resources[group as string]?.Properties.RetentionInDays, id).toBe(30);
      }
      for (const [id, group] of ofType(resources, 'AWS::Logs::LogGroup')) {
        expect(group.Properties.RetentionInDays, id).toBe(30);
      }
    });
  }

  it('creates Container Insights’ log group itself, with retention, before any worker runs', () => {
    const resources = all(defaults, 'service');
    const [id, group] =
      ofType(resources, 'AWS::Logs::LogGroup').find(([, g]) =>
        JSON.stringify(g.Properties.LogGroupName ?? '').includes('/aws/ecs/containerinsights/'),
      ) ?? [];
    expect(group?.Properties.RetentionInDays).toBe(30);
    expect(JSON.stringify(group?.Properties.LogGroupName)).toMatch(/\/performance"/);
    const services = ofType(resources, 'AWS::ECS::Service');
    expect(services).toHaveLength(2);
    for (const [, service] of services) expect(service.DependsOn).toContain(id);
  });

  it('creates the API execution log group itself, with retention, before the stage', () => {
    const resources = all(defaults, 'service');
    const [id, group] =
      ofType(resources, 'AWS::Logs::LogGroup').find(([, g]) =>
        JSON.stringify(g.Properties.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
      ) ?? [];
    expect(group?.Properties.RetentionInDays).toBe(30);
    expect(JSON.stringify(group?.Properties.LogGroupName)).toMatch(/"\/v1"\]/);
    const [, stage] = ofType(resources, 'AWS::ApiGateway::Stage')[0] ?? [];
    expect(stage?.DependsOn).toContain(id);
  });
});

describe('the account-wide API Gateway logging role', () => {
  it('is not owned by the stage: the service stack has no account setting or API Gateway role', () => {
    const service = all(defaults, 'service');
    expect(ofType(service, 'AWS::ApiGateway::Account')).toEqual([]);
    for (const [id, role] of ofType(service, 'AWS::IAM::Role')) {
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument), id).not.toContain(
        'apigateway.amazonaws.com',
      );
    }
  });

  it('lives in the shared account stack, retained when that stack is deleted', () => {
    const account = all(defaults, 'account');
    expect(defaults.summary.accountStack).toBe('cutout-account');
    const [, setting] = ofType(account, 'AWS::ApiGateway::Account')[0] ?? [];
    const [roleId, role] = ofType(account, 'AWS::IAM::Role')[0] ?? [];
    expect(setting?.Properties.CloudWatchRoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(setting?.DeletionPolicy).toBe('Retain');
    expect(role?.DeletionPolicy).toBe('Retain');
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain(
      'apigateway.amazonaws.com',
    );
  });
});

describe('/v1/results and /v1/files', () => {
  const methods = (app: SynthesizedApp) =>
    ofType(all(app, 'service'), 'AWS::ApiGateway::Method').filter(
      ([, m]) => m.Properties.HttpMethod !== 'OPTIONS',
    );
  const pollMethods = (app: SynthesizedApp) =>
    methods(app).filter(([id]) => /results|files/i.test(id));

  it('stay callable by uuid alone by default', () => {
    const found = pollMethods(defaults);
    expect(found).toHaveLength(2);
    for (const [, m] of found) {
      expect(m.Properties.AuthorizationType).toBe('NONE');
      expect(m.Properties.ApiKeyRequired).toBeUndefined();
    }
    expect(envOf(defaults, 'ApiResults')[BIND_RESULTS_ENV]).toBe('false');
    expect(envOf(defaults, 'ApiFiles')[BIND_RESULTS_ENV]).toBe('false');
  });

  it('with bindResultsToKey, run the key authorizer and tell the handlers to check the owner', () => {
    const found = pollMethods(opted);
    expect(found).toHaveLength(2);
    for (const [, m] of found) {
      expect(m.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', ApiKeyRequired: true });
      expect(m.Properties.AuthorizerId).toBeDefined();
    }
    expect(envOf(opted, 'ApiResults')[BIND_RESULTS_ENV]).toBe('true');
    expect(envOf(opted, 'ApiFiles')[BIND_RESULTS_ENV]).toBe('true');
  });

  it('tell convert whether only permissively licensed models may run (commercialSafeOnly)', () => {
    expect(envOf(defaults, 'ApiConvert')[COMMERCIAL_SAFE_ONLY_ENV]).toBe('false');
    expect(envOf(opted, 'ApiConvert')[COMMERCIAL_SAFE_ONLY_ENV]).toBe('true');
  });

  it('have their own method throttling on the stage', () => {
    for (const [app, rate, burst] of [
      [defaults, 20, 40],
      [opted, 7, 9],
    ] as const) {
      const [, stage] = ofType(all(app, 'service'), 'AWS::ApiGateway::Stage')[0] ?? [];
      const settings = stage?.Properties.MethodSettings as Record<string, CfnJson>[];
      for (const [path, method] of [
        ['/~1results', 'POST'],
        ['/~1files~1{uuid}~1{name}', 'GET'],
      ]) {
        expect(settings).toContainEqual(
          expect.objectContaining({
            ResourcePath: path,
            HttpMethod: method,
            ThrottlingRateLimit: rate,
            ThrottlingBurstLimit: burst,
            LoggingLevel: 'ERROR',
            MetricsEnabled: true,
          }),
        );
      }
      // The stage-wide ceiling still applies to everything else.
      expect(settings).toContainEqual(
        expect.objectContaining({ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 100 }),
      );
    }
  });
});
