import { RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  IpAddresses,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface WorkerNetworkProps {
  readonly logRetention: RetentionDays;
  /**
   * Add private subnets with no route out (INGEST_ORIGIN_SUBNETS) for an internal load
   * balancer that only CloudFront reaches, through a VPC origin.
   */
  readonly originSubnets?: boolean;
}

/**
 * The VPC's address range (CDK's default, stated so security groups can name it as a literal:
 * a rule on the VPC's CIDR attribute is a token that cdk-nag cannot read).
 */
export const WORKER_VPC_CIDR = '10.0.0.0/16';

/** The subnet group an internal (CloudFront-only) load balancer lives in. */
export const INGEST_ORIGIN_SUBNETS = 'ingest-origin';

/**
 * The workers' VPC: public subnets in two zones and no NAT gateway, because a NAT gateway costs
 * about as much per month as forty GPU-hours and the service is meant to cost nothing idle.
 * Workers take public addresses for egress but their security groups admit nothing inbound;
 * S3 and DynamoDB traffic stays on free gateway endpoints. Flow logs record rejected traffic.
 */
export class WorkerNetwork extends Construct {
  readonly vpc: Vpc;

  constructor(scope: Construct, id: string, props: WorkerNetworkProps) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(WORKER_VPC_CIDR),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'workers', subnetType: SubnetType.PUBLIC, cidrMask: 20 },
        // After the public group, so adding it leaves the workers' subnets as they were.
        ...(props.originSubnets
          ? [{ name: INGEST_ORIGIN_SUBNETS, subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }]
          : []),
      ],
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    const flowLogs = new LogGroup(this, 'FlowLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('RejectedTraffic', {
      destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: FlowLogTrafficType.REJECT,
    });
  }
}
