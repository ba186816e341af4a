import { Aws, CfnRule, Fn } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { type Cluster, ContainerImage } from 'aws-cdk-lib/aws-ecs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { LoadBalancerTarget } from 'aws-cdk-lib/aws-route53-targets';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ingestTimeouts } from '../../containers/ingest/timeouts.ts';
import type { CutoutConfig } from '../config.ts';
import { certificateRegion } from '../ingest-config.ts';
import { IngestAlarms } from './ingest-alarms.ts';
import { IngestDistribution } from './ingest-distribution.ts';
import { IngestService } from './ingest-service.ts';
import { PROJECT_ROOT } from './node-function.ts';

export interface StreamingFrontDoorProps {
  readonly config: CutoutConfig;
  readonly vpc: IVpc;
  readonly cluster: Cluster;
  readonly alarmTopic: ITopic;
  readonly jobsTable: ITable;
  readonly keysTable: ITable;
  readonly inputBucket: IBucket;
  readonly outputBucket: IBucket;
  readonly imageQueue: IQueue;
  readonly videoQueue: IQueue;
  readonly logRetention: RetentionDays;
}

/** The ingest image's Dockerfile, relative to the build context (the repository root). */
export const INGEST_DOCKERFILE = 'containers/ingest/Dockerfile';

/**
 * `cutout:ingest=streaming`: the ingest service behind its load balancer, HTTPS in front of it
 * (the balancer's own listener with the configured certificate, or CloudFront), the DNS alias
 * when a hosted zone is given, and the door's alarms.
 */
export class StreamingFrontDoor extends Construct {
  readonly ingest: IngestService;
  readonly distribution?: IngestDistribution;
  readonly alarms: IngestAlarms;
  /** What clients call: `https://<host>`, with `/v1/convert` and the rest under it. */
  readonly url: string;
  /** Certificate mode without a hosted zone: the name the user's DNS record must point at. */
  readonly dnsTarget?: string;

  constructor(scope: Construct, id: string, props: StreamingFrontDoorProps) {
    super(scope, id);
    const { config } = props;
    const certificateArn = config.ingestCertificateArn;
    const https =
      config.ingestHttps === 'certificate' && certificateArn
        ? { mode: 'certificate' as const, certificateArn }
        : { mode: 'cloudfront' as const };

    // ARM (Graviton) Fargate: cheaper per vCPU-hour, and nothing in the door needs x86. Synth
    // only stages the context; Docker (with arm64 emulation or an arm64 host) runs at deploy.
    const image = ContainerImage.fromAsset(PROJECT_ROOT, {
      file: INGEST_DOCKERFILE,
      platform: Platform.LINUX_ARM64,
    });
    this.ingest = new IngestService(this, 'Service', {
      vpc: props.vpc,
      cluster: props.cluster,
      image,
      https,
      jobsTable: props.jobsTable,
      keysTable: props.keysTable,
      inputBucket: props.inputBucket,
      outputBucket: props.outputBucket,
      imageQueue: props.imageQueue,
      videoQueue: props.videoQueue,
      cpu: config.ingestCpu,
      memoryMiB: config.ingestMemoryMiB,
      minTasks: config.ingestMinTasks,
      maxTasks: config.ingestMaxTasks,
      idleTimeoutSeconds: config.ingestIdleTimeoutSeconds,
      maxUploadBytes: config.ingestMaxUploadBytes,
      jobTtlDays: config.jobTtlDays,
      maxImageBytes: config.maxImageBytes,
      availableModels: config.workerModels,
      bindResultsToKey: config.bindResultsToKey,
      commercialSafeOnly: config.commercialSafeOnly,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      logLevel: config.logLevel,
      logRetention: props.logRetention,
      retainAccessLogs: config.stage === 'prod',
    });
    const loadBalancer = this.ingest.loadBalancer;

    if (https.mode === 'cloudfront') {
      this.distribution = new IngestDistribution(this, 'Cdn', {
        stage: config.stage,
        loadBalancer,
        loadBalancerIdleSeconds: ingestTimeouts(config.ingestIdleTimeoutSeconds)
          .loadBalancerIdleSeconds,
      });
      this.url = `https://${this.distribution.distribution.distributionDomainName}`;
    } else {
      // A load balancer takes certificates from its own region only; say so at deploy, before
      // CloudFormation fails half-way through with a less direct message.
      const region = certificateRegion(https.certificateArn);
      new CfnRule(this, 'CertificateInStackRegion', {
        assertions: [
          {
            assert: Fn.conditionEquals(Aws.REGION, region),
            assertDescription: `cutout:ingestCertificateArn is in ${region}: deploy to ${region}, or use a certificate from the deployment's region`,
          },
        ],
      });
      this.url = `https://${config.ingestDomainName}`;
      if (config.ingestHostedZoneId && config.ingestHostedZoneName) {
        new ARecord(this, 'Alias', {
          zone: HostedZone.fromHostedZoneAttributes(this, 'Zone', {
            hostedZoneId: config.ingestHostedZoneId,
            zoneName: config.ingestHostedZoneName,
          }),
          recordName: config.ingestDomainName,
          target: RecordTarget.fromAlias(new LoadBalancerTarget(loadBalancer)),
        });
      } else {
        this.dnsTarget = loadBalancer.loadBalancerDnsName;
      }
    }

    this.alarms = new IngestAlarms(this, 'Alarms', {
      topic: props.alarmTopic,
      loadBalancer,
      targetGroup: this.ingest.targetGroup,
    });
  }
}
