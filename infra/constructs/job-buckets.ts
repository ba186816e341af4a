import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RESOURCES } from '../../core/config/resources.ts';

export interface JobBucketsProps {
  /** Physical names (resource-names.ts). */
  readonly names: Readonly<Record<'inputs' | 'outputs', string>>;
  /** Objects expire this many days after upload, like the job items they belong to. */
  readonly jobTtlDays: number;
  /** Origins allowed to POST/PUT uploads from a browser. */
  readonly corsOrigins: readonly string[];
  readonly removalPolicy: RemovalPolicy;
  /** Empty the buckets when the stack is deleted (non-production stages). */
  readonly autoDeleteObjects: boolean;
}

/**
 * The inputs bucket (client uploads under `jobs/`, S3-triggered jobs under `incoming/`), the
 * outputs bucket and the bucket both write their access logs to. All private, S3-encrypted,
 * TLS-only, and expiring with the job TTL so nothing outlives the job that made it.
 */
export class JobBuckets extends Construct {
  readonly inputs: Bucket;
  readonly outputs: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: JobBucketsProps) {
    super(scope, id);
    const common = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
    };

    this.accessLogs = new Bucket(this, 'access-logs', {
      ...common,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
    });

    // Inputs come from untrusted clients and are read once: versions would only keep
    // overwritten uploads alive, so no versioning here.
    this.inputs = new Bucket(this, RESOURCES.inputBucket, {
      ...common,
      bucketName: props.names.inputs,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'inputs/',
      lifecycleRules: [
        {
          id: 'expire-with-job',
          expiration: Duration.days(props.jobTtlDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      cors: [
        {
          allowedMethods: [HttpMethods.POST, HttpMethods.PUT],
          allowedOrigins: [...props.corsOrigins],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
    });

    // Outputs are what the user paid GPU time for: versioning protects them from an
    // accidental overwrite or delete until the job expires.
    this.outputs = new Bucket(this, RESOURCES.outputBucket, {
      ...common,
      bucketName: props.names.outputs,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'outputs/',
      lifecycleRules: [
        {
          id: 'expire-with-job',
          expiration: Duration.days(props.jobTtlDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      cors: [
        {
          allowedMethods: [HttpMethods.GET, HttpMethods.HEAD],
          allowedOrigins: [...props.corsOrigins],
          allowedHeaders: ['*'],
          maxAge: 3000,
        },
      ],
    });
  }
}
