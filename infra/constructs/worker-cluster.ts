import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AutoScalingGroup,
  OnDemandAllocationStrategy,
  SpotAllocationStrategy,
} from 'aws-cdk-lib/aws-autoscaling';
import {
  BlockDeviceVolume,
  EbsDeviceVolumeType,
  InstanceType,
  LaunchTemplate,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  UserData,
  type Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  AmiHardwareType,
  AsgCapacityProvider,
  Cluster,
  ContainerInsights,
  EcsOptimizedImage,
  MachineImageType,
} from 'aws-cdk-lib/aws-ecs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface WorkerClusterProps {
  readonly vpc: Vpc;
  /** `gpu` adds the GPU Auto Scaling group capacity provider; `fargate` enables Fargate (spot). */
  readonly compute: 'gpu' | 'fargate';
  /** GPU instance types, most preferred first. */
  readonly instanceTypes: readonly string[];
  /** Most GPU hosts at once: one worker task per host. */
  readonly maxInstances: number;
  readonly spot: boolean;
  /** Names the capacity provider (it must not start with `aws`, `ecs` or `fargate`). */
  readonly stage: string;
  /** Receives the Auto Scaling group's launch and termination notices. */
  readonly notificationsTopic: ITopic;
  readonly logRetention: RetentionDays;
}

/** The line the ECS agent reads to drain a host's tasks when its spot interruption notice comes. */
export const SPOT_DRAINING_USER_DATA =
  'echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config';

/**
 * The ECS cluster the workers run in. For GPUs: an Auto Scaling group of single-GPU instances on
 * the ECS GPU AMI, from 0 hosts, behind a capacity provider with managed scaling (ECS starts
 * hosts for tasks waiting to be placed) and managed termination protection (a host running a
 * task is never scaled in). Fargate has no GPUs, so the `fargate` option is CPU-only.
 */
export class WorkerCluster extends Construct {
  readonly cluster: Cluster;
  /** Set when `compute` is `gpu`. */
  readonly gpuCapacity?: AsgCapacityProvider;
  /** Container Insights' performance log group; services depend on it so it exists first. */
  readonly insightsLogs: LogGroup;

  constructor(scope: Construct, id: string, props: WorkerClusterProps) {
    super(scope, id);
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    // ECS creates this group on a cluster's first task, with no retention (kept forever); made
    // here first, under the name ECS uses, it keeps the stage's retention.
    this.insightsLogs = new LogGroup(this, 'InsightsLogs', {
      logGroupName: `/aws/ecs/containerinsights/${this.cluster.clusterName}/performance`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (props.compute === 'fargate') {
      this.cluster.enableFargateCapacityProviders();
      return;
    }

    const securityGroup = this.httpsOnly(this, 'HostSecurityGroup', 'cutout GPU worker hosts');
    const userData = UserData.forLinux();
    // CDK's `spotInstanceDraining` writes this line only for groups with a `spotPrice`, which a
    // mixed-instances group never has, so it would be silently dropped: write it here.
    if (props.spot) userData.addCommands(SPOT_DRAINING_USER_DATA);
    const launchTemplate = new LaunchTemplate(this, 'GpuLaunchTemplate', {
      machineImage: EcsOptimizedImage.amazonLinux2023(AmiHardwareType.GPU),
      userData,
      role: new Role(this, 'HostRole', {
        assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
        description: 'cutout GPU worker hosts: ECS agent registration (added by the cluster)',
      }),
      securityGroup,
      requireImdsv2: true,
      // Hop limit 1 keeps containers on the bridge network away from the host's credentials.
      httpPutResponseHopLimit: 1,
      blockDevices: [
        {
          // The GPU AMI plus a CUDA worker image (several GB) need more than the 30 GB default.
          deviceName: '/dev/xvda',
          volume: BlockDeviceVolume.ebs(100, {
            encrypted: true,
            volumeType: EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    const autoScalingGroup = new AutoScalingGroup(this, 'GpuHosts', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      minCapacity: 0,
      maxCapacity: props.maxInstances,
      mixedInstancesPolicy: {
        launchTemplate,
        launchTemplateOverrides: props.instanceTypes.map((t) => ({
          instanceType: new InstanceType(t),
        })),
        instancesDistribution: {
          onDemandBaseCapacity: 0,
          onDemandPercentageAboveBaseCapacity: props.spot ? 0 : 100,
          onDemandAllocationStrategy: OnDemandAllocationStrategy.PRIORITIZED,
          spotAllocationStrategy: SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
        },
      },
      notifications: [{ topic: props.notificationsTopic }],
    });
    this.gpuCapacity = new AsgCapacityProvider(this, 'GpuCapacity', {
      capacityProviderName: `cutout-${props.stage}-gpu`,
      autoScalingGroup,
      machineImageType: MachineImageType.AMAZON_LINUX_2,
      enableManagedScaling: true,
      enableManagedTerminationProtection: true,
      targetCapacityPercent: 100,
      // New GPU hosts count towards capacity after a minute rather than the default five.
      instanceWarmupPeriod: 60,
    });
    this.cluster.addAsgCapacityProvider(this.gpuCapacity);
  }

  /**
   * A security group for workers: nothing inbound, and outbound only HTTPS, which is all they
   * speak (S3, DynamoDB, SQS, ECR, CloudWatch and the ECS endpoints, and the hosts of `image_url`
   * inputs, whose plain http the outbound guard refuses on AWS anyway). DNS, the instance
   * metadata and time services are link-local or the VPC resolver, which security groups do
   * not filter.
   */
  httpsOnly(scope: Construct, id: string, what: string): SecurityGroup {
    const group = new SecurityGroup(scope, id, {
      vpc: this.cluster.vpc,
      description: `${what}: no inbound traffic, outbound HTTPS only`,
      allowAllOutbound: false,
    });
    group.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to AWS APIs');
    return group;
  }
}
