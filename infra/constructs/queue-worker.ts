import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import {
  AwsLogDriverMode,
  type BaseService,
  type CfnService,
  type ContainerDefinitionOptions,
  type ContainerImage,
  CpuArchitecture,
  DeploymentControllerType,
  Ec2Service,
  Ec2TaskDefinition,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  NetworkMode,
  OperatingSystemFamily,
  PropagatedTagSource,
  type TaskDefinition,
} from 'aws-cdk-lib/aws-ecs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MODEL_ENV } from '../../adapters/models/model-env.ts';
import { WORKER_ENV, workerTaskEnvShape } from '../../containers/worker/env.ts';
import { ENV } from '../../core/config/resources.ts';
import { environmentFor } from '../environment-for.ts';
import { grantObjects } from './object-grants.ts';
import { scaleOnQueueBacklog } from './queue-backlog-scaling.ts';
import { grantJobTable, JOB_TABLE_ACCESS } from './table-grants.ts';
import type { WorkerCluster } from './worker-cluster.ts';

export type WorkerKind = 'image' | 'video';

/** Where the image keeps its verified weights (the Dockerfile pulls them there at build). */
export const WORKER_MODEL_DIR = '/opt/cutout/models';

/** Where the worker's consumer loop keeps its liveness file (containers/worker/liveness.ts). */
export const WORKER_LIVENESS_FILE = '/tmp/cutout-worker.alive';

/**
 * The container's health check: healthy while the consumer loop keeps its liveness file fresh
 * (WORKER_LIVENESS_STALE_SECONDS, default 60); a blocked event loop or a handler stuck past its
 * deadline lets it go stale, and ECS replaces the task. Run from the image's working folder.
 */
export const WORKER_HEALTH_COMMAND = ['CMD', 'node', 'containers/worker/health-check.ts'] as const;

export interface QueueWorkerProps {
  readonly kind: WorkerKind;
  readonly cluster: WorkerCluster;
  readonly image: ContainerImage;
  readonly queue: IQueue;
  readonly jobsTable: ITable;
  readonly inputBucket: IBucket;
  readonly outputBucket: IBucket;
  /** Largest image input; checked by size before the worker reads it (as convert does). */
  readonly maxImageBytes: number;
  readonly minWorkers: number;
  readonly maxWorkers: number;
  /** Fargate only: run on Fargate Spot. (GPU spot is the Auto Scaling group's business.) */
  readonly spot: boolean;
  readonly logRetention: RetentionDays;
}

/** Backlog one worker is expected to absorb: images take about a second, a video minutes. */
const MESSAGES_PER_WORKER: Record<WorkerKind, number> = { image: 20, video: 1 };

/** ECS gives a stopping task this long between SIGTERM and SIGKILL (the EC2 maximum is 120 s). */
const STOP_TIMEOUT = Duration.seconds(120);

/**
 * One ECS service that drains one queue: on the GPU capacity provider (one task per GPU host)
 * or, without GPUs, on Fargate. It starts at its minimum (0 by default) and follows the queue
 * backlog; the worker protects its task from scale-in while a file is in progress through the
 * ECS agent endpoint (`ECS_AGENT_URI`, which ECS injects into the container).
 */
export class QueueWorker extends Construct {
  readonly service: BaseService;
  readonly taskDefinition: TaskDefinition;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const gpu = props.cluster.gpuCapacity;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const container: ContainerDefinitionOptions = {
      image: props.image,
      essential: true,
      environment: {
        ...environmentFor(`${props.kind} worker`, workerTaskEnvShape, {
          // The SDK finds the region on ECS anyway (task metadata); stating it removes the guess.
          AWS_REGION: Stack.of(this).region,
          [ENV.jobsTable]: props.jobsTable.tableName,
          [ENV.inputBucket]: props.inputBucket.bucketName,
          [ENV.outputBucket]: props.outputBucket.bucketName,
          [props.kind === 'image' ? ENV.imageQueueUrl : ENV.videoQueueUrl]: props.queue.queueUrl,
          [ENV.maxImageBytes]: props.maxImageBytes,
          [MODEL_ENV.dir]: WORKER_MODEL_DIR,
          // This service consumes its own queue only.
          [WORKER_ENV.queues]: props.kind,
          [WORKER_ENV.livenessFile]: WORKER_LIVENESS_FILE,
          // GPU hosts name CUDA alone: a missing CUDA provider then fails the worker loudly
          // rather than quietly running on CPU at a fraction of the speed.
          [MODEL_ENV.providers]: gpu ? 'cuda' : 'cpu',
          // Weights are baked into the image and verified at build; never fetch at run time.
          [MODEL_ENV.download]: false,
        }),
        // Read by the NVIDIA container runtime, not by cutout: `video` mounts NVENC/NVDEC for ffmpeg.
        NVIDIA_DRIVER_CAPABILITIES: 'compute,utility,video',
      },
      logging: LogDrivers.awsLogs({
        streamPrefix: props.kind,
        logGroup: this.logGroup,
        mode: AwsLogDriverMode.NON_BLOCKING,
      }),
      stopTimeout: STOP_TIMEOUT,
      healthCheck: {
        command: [...WORKER_HEALTH_COMMAND],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.minutes(3),
      },
    };

    if (gpu) {
      // Bridge networking: the host's public address serves egress; awsvpc tasks on EC2 get no
      // public address and would need a NAT gateway.
      const task = new Ec2TaskDefinition(this, 'Task', { networkMode: NetworkMode.BRIDGE });
      // A g4dn/g5/g6 .xlarge has 4 vCPU and 16 GiB; leave room for the agent and the OS.
      task.addContainer('worker', {
        ...container,
        gpuCount: 1,
        cpu: 3072,
        memoryReservationMiB: 12_288,
      });
      this.taskDefinition = task;
      this.service = new Ec2Service(this, 'Service', {
        cluster: props.cluster.cluster,
        taskDefinition: task,
        capacityProviderStrategies: [{ capacityProvider: gpu.capacityProviderName, weight: 1 }],
        // One task per GPU host: replace tasks in place rather than buying a spare host.
        minHealthyPercent: 0,
        maxHealthyPercent: 100,
        circuitBreaker: { rollback: true },
        deploymentController: { type: DeploymentControllerType.ECS },
        propagateTags: PropagatedTagSource.SERVICE,
        enableECSManagedTags: true,
      });
    } else {
      const task = new FargateTaskDefinition(this, 'Task', {
        cpu: 4096,
        memoryLimitMiB: 8192,
        runtimePlatform: {
          cpuArchitecture: CpuArchitecture.X86_64,
          operatingSystemFamily: OperatingSystemFamily.LINUX,
        },
      });
      task.addContainer('worker', container);
      this.taskDefinition = task;
      this.service = new FargateService(this, 'Service', {
        cluster: props.cluster.cluster,
        taskDefinition: task,
        capacityProviderStrategies: [
          { capacityProvider: props.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 },
        ],
        assignPublicIp: true,
        vpcSubnets: { subnetType: SubnetType.PUBLIC },
        securityGroups: [
          props.cluster.httpsOnly(this, 'SecurityGroup', `cutout ${props.kind} workers`),
        ],
        minHealthyPercent: 0,
        maxHealthyPercent: 100,
        circuitBreaker: { rollback: true },
        propagateTags: PropagatedTagSource.SERVICE,
        enableECSManagedTags: true,
      });
    }

    // The strategy names a capacity provider, which must be associated with the cluster first.
    this.service.node.addDependency(props.cluster.cluster);

    // CDK leaves DesiredCount out, and CloudFormation then starts one task (and one GPU host)
    // on the first deploy. Pin it to the minimum; the backlog scaling takes it from there.
    const cfnService = this.service.node.defaultChild as CfnService;
    cfnService.desiredCount = props.minWorkers;

    grantJobTable(this.taskDefinition.taskRole, props.jobsTable, JOB_TABLE_ACCESS.worker);
    // Task scale-in protection (task-protection.ts): without these the agent answers
    // AccessDenied and a busy task can be stopped on scale-in. Task ids are assigned at run
    // time, so the grant covers this cluster's tasks.
    this.taskDefinition.taskRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ecs',
            resource: 'task',
            resourceName: `${props.cluster.cluster.clusterName}/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
    );
    grantObjects(this.taskDefinition.taskRole, props.inputBucket, ['s3:GetObject']);
    grantObjects(this.taskDefinition.taskRole, props.outputBucket, [
      's3:GetObject',
      's3:PutObject',
    ]);
    props.queue.grantConsumeMessages(this.taskDefinition.taskRole);

    scaleOnQueueBacklog(this.service, {
      queue: props.queue,
      minCapacity: props.minWorkers,
      maxCapacity: props.maxWorkers,
      messagesPerWorker: MESSAGES_PER_WORKER[props.kind],
    });
  }
}
