import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ApplicationLoadBalancer } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AccountPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { FactName } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';

export interface LoadBalancerLogsProps {
  /** Keep the logs when the stack is deleted (prod); otherwise the bucket is emptied and removed. */
  readonly retain: boolean;
  /** Days a log file is kept. */
  readonly expireAfterDays: number;
}

/** Where the load balancer writes its access logs under the bucket. */
export const ACCESS_LOG_PREFIX = 'ingest';

/**
 * The bucket the streaming door's load balancer writes its access logs to (one line per
 * request: client, timings, bytes, status), and the attributes that turn the logs on.
 * Elastic Load Balancing writes only to SSE-S3 buckets. CDK's `logAccessLogs` needs a concrete
 * region to name the log-delivery account, and these stacks are region-agnostic, so the
 * account comes from CDK's region table as a CloudFormation mapping instead; regions opened
 * since August 2022 use the log-delivery service principal, granted alongside.
 */
export class LoadBalancerLogs extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: LoadBalancerLogsProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.retain,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(props.expireAfterDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }

  /** Turns access logging on for `loadBalancer`, into this bucket. */
  logFrom(loadBalancer: ApplicationLoadBalancer): void {
    const stack = Stack.of(this);
    loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    loadBalancer.setAttribute('access_logs.s3.bucket', this.bucket.bucketName);
    loadBalancer.setAttribute('access_logs.s3.prefix', ACCESS_LOG_PREFIX);
    const elbAccount = stack.regionalFact(FactName.ELBV2_ACCOUNT);
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        principals: [
          new AccountPrincipal(elbAccount),
          new ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com'),
        ],
        resources: [this.bucket.arnForObjects(`${ACCESS_LOG_PREFIX}/AWSLogs/${stack.account}/*`)],
      }),
    );
    // The bucket policy must exist before the load balancer checks it can write there.
    const policy = this.bucket.policy?.node.defaultChild;
    if (policy) loadBalancer.node.defaultChild?.node.addDependency(policy);
  }
}
