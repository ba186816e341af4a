import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IVpc, Peer, Port, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import {
  AwsLogDriverMode,
  type Cluster,
  type ContainerImage,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LinuxParameters,
  LogDrivers,
  OperatingSystemFamily,
  PropagatedTagSource,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  type ApplicationTargetGroup,
  ListenerCertificate,
  SslPolicy,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LOG_LEVEL_ENV, type LogLevel } from '../../adapters/observability/log.ts';
import {
  DEFAULT_INGEST_PORT,
  INGEST_ENV,
  INGEST_HEALTH_PATH,
  ingestEnvShape,
} from '../../containers/ingest/env.ts';
import { ingestTimeouts } from '../../containers/ingest/timeouts.ts';
import { ENV, S3_PREFIX } from '../../core/config/resources.ts';
import {
  AVAILABLE_MODELS_ENV,
  BIND_RESULTS_ENV,
  COMMERCIAL_SAFE_ONLY_ENV,
} from '../../functions/shared/env-schema.ts';
import { environmentFor } from '../environment-for.ts';
import { LoadBalancerLogs } from './load-balancer-logs.ts';
import { grantObjects } from './object-grants.ts';
import {
  grantJobTable,
  grantKeyTable,
  JOB_TABLE_ACCESS,
  KEY_TABLE_ACCESS,
} from './table-grants.ts';
import { WORKER_VPC_CIDR } from './worker-network.ts';

/** The container's name in the task definition (the target group points at it). */
export const INGEST_CONTAINER = 'ingest';

/**
 * The container's own health check: the same path the load balancer calls, from inside the
 * task (the image has Node and nothing else to make a request with). Run from the image's
 * working folder; containers/ingest/Dockerfile's HEALTHCHECK runs the same command.
 */
export const INGEST_HEALTH_COMMAND = [
  'CMD',
  'node',
  '-e',
  `fetch('http://127.0.0.1:${DEFAULT_INGEST_PORT}${INGEST_HEALTH_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
] as const;

/**
 * Fargate's longest stopTimeout: the service drains uploads in progress for
 * INGEST_DRAIN_SECONDS (110 s by default) after SIGTERM, within this.
 */
export const INGEST_STOP_TIMEOUT = Duration.seconds(120);

/**
 * How long the load balancer keeps sending a deregistered task the requests it already has
 * (ECS deregisters a task before it stops it): an upload in progress gets this long, then
 * INGEST_STOP_TIMEOUT more after SIGTERM.
 */
export const INGEST_DEREGISTRATION_DELAY = Duration.seconds(300);

/** Requests per minute one task is expected to serve before the scaling adds another. */
const REQUESTS_PER_TASK_PER_MINUTE = 600;
/** Average CPU the scaling keeps the tasks at. */
const TARGET_CPU_PERCENT = 60;

export type IngestHttps =
  | { readonly mode: 'cloudfront' }
  | { readonly mode: 'certificate'; readonly certificateArn: string };

export interface IngestServiceProps {
  readonly vpc: IVpc;
  readonly cluster: Cluster;
  readonly image: ContainerImage;
  readonly https: IngestHttps;
  readonly jobsTable: ITable;
  readonly keysTable: ITable;
  readonly inputBucket: IBucket;
  readonly outputBucket: IBucket;
  readonly imageQueue: IQueue;
  readonly videoQueue: IQueue;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** INGEST_IDLE_TIMEOUT_SECONDS; the load balancer's idle timeout is derived from it. */
  readonly idleTimeoutSeconds: number;
  readonly maxUploadBytes?: number | undefined;
  readonly jobTtlDays: number;
  readonly maxImageBytes: number;
  readonly availableModels: readonly string[];
  readonly bindResultsToKey: boolean;
  /** /v1/convert refuses non-permissively licensed models. */
  readonly commercialSafeOnly?: boolean;
  /** Per-key steady rate and burst, per task (the same numbers as the API's usage plan). */
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logLevel: LogLevel;
  readonly logRetention: RetentionDays;
  /** Keep the access logs when the stack is deleted (prod). */
  readonly retainAccessLogs: boolean;
}

/**
 * The streaming front door on AWS: an Application Load Balancer in front of a small ARM
 * Fargate service running containers/ingest (convert, results, files and the web page behind
 * one host). With a certificate the balancer faces the internet on HTTPS (HTTP redirects);
 * for CloudFront it is internal, in subnets with no route out, and admits only traffic from
 * inside the VPC, where CloudFront's VPC-origin interfaces live. Tasks take public addresses
 * for egress (there is no NAT gateway) but admit only the balancer.
 */
export class IngestService extends Construct {
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly targetGroup: ApplicationTargetGroup;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;
  readonly logGroup: LogGroup;
  readonly accessLogs: LoadBalancerLogs;
  readonly loadBalancerSecurityGroup: SecurityGroup;
  readonly taskSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: IngestServiceProps) {
    super(scope, id);
    const internetFacing = props.https.mode === 'certificate';
    const timeouts = ingestTimeouts(props.idleTimeoutSeconds);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    this.taskDefinition.addContainer(INGEST_CONTAINER, {
      image: props.image,
      essential: true,
      environment: this.environment(props),
      portMappings: [{ containerPort: DEFAULT_INGEST_PORT }],
      logging: LogDrivers.awsLogs({
        streamPrefix: 'ingest',
        logGroup: this.logGroup,
        mode: AwsLogDriverMode.NON_BLOCKING,
      }),
      stopTimeout: INGEST_STOP_TIMEOUT,
      // An init process forwards SIGTERM to Node and reaps what it leaves.
      linuxParameters: new LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      healthCheck: {
        command: [...INGEST_HEALTH_COMMAND],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
    });
    this.grant(props);

    this.loadBalancerSecurityGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: internetFacing
        ? 'cutout streaming door load balancer: HTTPS (and HTTP, redirected) from anywhere'
        : 'cutout streaming door load balancer: HTTP from inside the VPC (CloudFront VPC origin)',
      allowAllOutbound: false,
    });
    if (internetFacing) {
      for (const port of [443, 80]) {
        this.loadBalancerSecurityGroup.addIngressRule(
          Peer.anyIpv4(),
          Port.tcp(port),
          `clients, port ${port}`,
        );
      }
    } else {
      this.loadBalancerSecurityGroup.addIngressRule(
        Peer.ipv4(WORKER_VPC_CIDR),
        Port.tcp(80),
        'CloudFront VPC origin interfaces (in this VPC)',
      );
    }
    this.taskSecurityGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: props.vpc,
      description:
        'cutout streaming door tasks: inbound from the load balancer only, outbound HTTPS',
      allowAllOutbound: false,
    });
    this.taskSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to AWS APIs');

    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing,
      vpcSubnets: internetFacing
        ? { subnetType: SubnetType.PUBLIC }
        : { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroup: this.loadBalancerSecurityGroup,
      // Longer than the service's own idle cut, shorter than its keep-alive (timeouts.ts).
      idleTimeout: Duration.seconds(timeouts.loadBalancerIdleSeconds),
      dropInvalidHeaderFields: true,
    });
    this.accessLogs = new LoadBalancerLogs(this, 'AccessLogs', {
      retain: props.retainAccessLogs,
      expireAfterDays: 90,
    });
    this.accessLogs.logFrom(this.loadBalancer);

    this.service = new FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.minTasks,
      // A rolling deploy starts the new task before stopping the old: the door stays open.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [this.taskSecurityGroup],
      healthCheckGracePeriod: Duration.seconds(60),
      propagateTags: PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });

    const listener = internetFacing
      ? this.loadBalancer.addListener('Https', {
          port: 443,
          protocol: ApplicationProtocol.HTTPS,
          certificates: [
            ListenerCertificate.fromArn((props.https as { certificateArn: string }).certificateArn),
          ],
          sslPolicy: SslPolicy.RECOMMENDED_TLS,
          open: false,
        })
      : this.loadBalancer.addListener('Http', {
          port: 80,
          protocol: ApplicationProtocol.HTTP,
          open: false,
        });
    if (internetFacing) {
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
    }
    this.targetGroup = listener.addTargets('Tasks', {
      port: DEFAULT_INGEST_PORT,
      protocol: ApplicationProtocol.HTTP,
      targets: [
        this.service.loadBalancerTarget({
          containerName: INGEST_CONTAINER,
          containerPort: DEFAULT_INGEST_PORT,
        }),
      ],
      deregistrationDelay: INGEST_DEREGISTRATION_DELAY,
      healthCheck: {
        path: INGEST_HEALTH_PATH,
        port: String(DEFAULT_INGEST_PORT),
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: props.minTasks,
      maxCapacity: props.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: TARGET_CPU_PERCENT,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: REQUESTS_PER_TASK_PER_MINUTE,
      targetGroup: this.targetGroup,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
  }

  /** Everything the convert, results and files Lambdas get, plus the keys table and the server's own. */
  private environment(props: IngestServiceProps): Record<string, string> {
    return environmentFor('ingest', ingestEnvShape, {
      AWS_REGION: Stack.of(this).region,
      [LOG_LEVEL_ENV]: props.logLevel,
      [ENV.jobsTable]: props.jobsTable.tableName,
      [ENV.keysTable]: props.keysTable.tableName,
      [ENV.inputBucket]: props.inputBucket.bucketName,
      [ENV.outputBucket]: props.outputBucket.bucketName,
      [ENV.imageQueueUrl]: props.imageQueue.queueUrl,
      [ENV.videoQueueUrl]: props.videoQueue.queueUrl,
      [ENV.jobTtlDays]: props.jobTtlDays,
      [ENV.maxImageBytes]: props.maxImageBytes,
      [AVAILABLE_MODELS_ENV]: props.availableModels,
      [BIND_RESULTS_ENV]: props.bindResultsToKey,
      [COMMERCIAL_SAFE_ONLY_ENV]: props.commercialSafeOnly ?? false,
      [INGEST_ENV.port]: DEFAULT_INGEST_PORT,
      [INGEST_ENV.idleTimeoutSeconds]: props.idleTimeoutSeconds,
      [INGEST_ENV.maxUploadBytes]: props.maxUploadBytes,
      [INGEST_ENV.rateLimit]: props.rateLimit,
      [INGEST_ENV.burstLimit]: props.burstLimit,
    });
  }

  /** The union of what the convert, results and files Lambdas and the authorizer may do. */
  private grant(props: IngestServiceProps): void {
    const role = this.taskDefinition.taskRole;
    grantJobTable(role, props.jobsTable, JOB_TABLE_ACCESS.ingest);
    grantKeyTable(role, props.keysTable, KEY_TABLE_ACCESS.authorizer);
    grantObjects(
      role,
      props.inputBucket,
      ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
      `${S3_PREFIX.jobs}*`,
    );
    grantObjects(role, props.outputBucket, ['s3:GetObject']);
    props.imageQueue.grantSendMessages(role);
    props.videoQueue.grantSendMessages(role);
  }
}
