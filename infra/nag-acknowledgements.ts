import { type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StreamingFrontDoor } from './constructs/streaming-front-door.ts';
import { type BucketRole, bucketName } from './resource-names.ts';
import type { AccountStack } from './stacks/account-stack.ts';
import type { ServiceStack } from './stacks/service-stack.ts';
import type { StorageStack } from './stacks/storage-stack.ts';

/**
 * Every cdk-nag AwsSolutions finding cutout accepts, each on the narrowest construct that
 * carries it and with the reason it is acceptable. Anything not listed here fails `cdk synth`.
 */

const LAMBDA_BASIC_EXECUTION =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${id}`, reason });
}

/** The IAM5 finding id for `arn:...:s3:::<bucket>/<pattern>` (as cdk-nag flattens it). */
function objectArnFinding(stack: Stack, stage: string, role: BucketRole, pattern = '*'): string {
  const name = stack.resolve(bucketName(stage, role)) as unknown;
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${flatten(name)}/${pattern}]`;
}

/** cdk-nag's rendering of `Fn::Join`/`Ref`: `<AWS::AccountId>` for a Ref. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(flatten).join(join[0]);
    const ref = (value as { Ref?: string }).Ref;
    if (ref) return `<${ref}>`;
  }
  return JSON.stringify(value);
}

export function acknowledgeNagFindings(
  stage: string,
  storage: StorageStack,
  service: ServiceStack,
  account: AccountStack,
): void {
  acknowledge(
    storage.buckets.accessLogs,
    'AwsSolutions-S1',
    'This is the access-log bucket itself; logging it into itself would loop.',
  );

  // Lambdas (the API, on-upload, on-dead-letter, and CDK's bucket-notification helper).
  acknowledge(
    service,
    LAMBDA_BASIC_EXECUTION,
    'AWSLambdaBasicExecutionRole only allows writing the function’s own CloudWatch logs; a hand-written copy would grant the same.',
  );
  acknowledge(
    service,
    'AwsSolutions-L1',
    'Node 22 on purpose: the project targets Node 22 (package.json engines, the worker image) so the Lambdas run the runtime the tests ran on.',
  );
  for (const role of ['inputs', 'outputs'] as const) {
    acknowledge(
      service,
      objectArnFinding(service, stage, role),
      `Object-level actions (GetObject/PutObject only) on keys of the ${role} bucket, whose keys are per job uuid and unknown in advance.`,
    );
  }
  acknowledge(
    service,
    objectArnFinding(service, stage, 'inputs', 'jobs/*'),
    'The convert Lambda may only PutObject under jobs/, the prefix of per-job upload keys.',
  );

  // API Gateway.
  const api = service.api.api;
  acknowledge(
    account.cloudWatchRole,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'The account-level role API Gateway uses to write execution logs; AWS defines it with this managed policy.',
  );
  acknowledge(
    api,
    'AwsSolutions-APIG3',
    'WAF costs a fixed monthly fee, against the goal of nothing running when idle; per-key usage plans and stage throttling limit abuse. Attach a web ACL to the stage for a public deployment.',
  );
  acknowledge(
    api,
    'AwsSolutions-COG4',
    'Clients authenticate with API keys (the API contract), checked by the Lambda authorizer; there are no Cognito users.',
  );
  acknowledge(
    api,
    'AwsSolutions-APIG4',
    'POST /v1/results and GET /v1/files carry no API key by contract: the random job uuid is the capability, as in the reference API; GET /v1/openapi.json is the public API document.',
  );

  // Workers.
  const hostRole = service.workers.node.tryFindChild('HostRole');
  if (hostRole) {
    acknowledge(
      hostRole,
      'AwsSolutions-IAM5[Action::ecs:Submit*]',
      'The ECS agent’s registration permissions as CDK’s cluster adds them (Submit* = container/task state changes).',
    );
    acknowledge(
      hostRole,
      'AwsSolutions-IAM5[Resource::*]',
      'ECS agent calls such as ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken accept no resource ARN.',
    );
  }
  acknowledge(
    service.uploads.failedEvents,
    'AwsSolutions-SQS3',
    'This queue is where upload events that failed every on-upload attempt are kept (the Lambda’s on-failure destination) and alarmed on; nothing consumes it, so it needs no dead-letter queue of its own.',
  );
  const gpuHosts = service.workers.node.tryFindChild('GpuHosts');
  if (gpuHosts) {
    acknowledge(
      gpuHosts,
      'AwsSolutions-EC26',
      'The rule cannot read the launch template’s block devices through the mixed-instances policy; the only volume is encrypted (asserted in test/infra).',
    );
  }
  for (const workers of [service.imageWorkers, service.videoWorkers]) {
    acknowledge(
      workers.taskDefinition.taskRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/${flatten(service.resolve(service.workers.cluster.clusterName))}/*]`,
      'Task scale-in protection on this cluster’s tasks: task ids are assigned at run time, so the ARN ends in a wildcard.',
    );
    acknowledge(
      workers.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds resource names and tunables only (table, bucket and queue names); no secrets.',
    );
    const executionRole = workers.taskDefinition.executionRole;
    if (executionRole) {
      acknowledge(
        executionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken, needed to pull the worker image, accepts no resource ARN.',
      );
    }
  }
  if (service.frontDoor) acknowledgeStreamingDoor(service.frontDoor);
}

/** `cutout:ingest=streaming`: the load balancer, its log bucket, the task, and CloudFront. */
function acknowledgeStreamingDoor(door: StreamingFrontDoor): void {
  const { ingest } = door;
  acknowledge(
    ingest.taskDefinition,
    'AwsSolutions-ECS2',
    'The environment holds resource names and tunables only (table, bucket and queue names, limits); no secrets.',
  );
  const executionRole = ingest.taskDefinition.executionRole;
  if (executionRole) {
    acknowledge(
      executionRole,
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken, needed to pull the ingest image, accepts no resource ARN.',
    );
  }
  acknowledge(
    ingest.accessLogs.bucket,
    'AwsSolutions-S1',
    'This bucket holds the load balancer’s access logs; logging it into another log bucket would only log the log writes.',
  );
  if (door.distribution) {
    const distribution = door.distribution.distribution;
    acknowledge(
      distribution,
      'AwsSolutions-CFR1',
      'An API for clients anywhere; a deployment that serves one region can add a geo restriction.',
    );
    acknowledge(
      distribution,
      'AwsSolutions-CFR2',
      'WAF costs a fixed monthly fee, against the goal of a cheap deployment; API keys, per-key rate limits and the request size caps limit abuse. Attach a web ACL for a public deployment.',
    );
    acknowledge(
      distribution,
      'AwsSolutions-CFR3',
      'Every request CloudFront forwards reaches the load balancer, whose access logs (S3) record it with the client address; nothing is cached, so CloudFront logs would add nothing.',
    );
    acknowledge(
      distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate fixes the viewer security policy (TLSv1 allowed); clients that need TLS 1.2 minimum use ingestHttps=certificate with their own domain.',
    );
  } else {
    acknowledge(
      ingest.loadBalancerSecurityGroup,
      'AwsSolutions-EC23',
      'The public API endpoint: clients call it from anywhere on 443 (80 only redirects to 443). The tasks behind it admit only this group.',
    );
  }
}
