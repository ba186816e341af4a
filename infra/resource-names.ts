import { Aws } from 'aws-cdk-lib';

export type BucketRole = 'inputs' | 'outputs';

/**
 * Physical bucket names, unique per stage, account and region (S3 names are global). Named
 * rather than generated so the service stack can address the storage stack's buckets without
 * a cross-stack reference, and so IAM policies and their cdk-nag acknowledgements read as
 * `arn:<AWS::Partition>:s3:::cutout-dev-inputs-<AWS::AccountId>-<AWS::Region>/*`.
 * At most 7 + 20 + 9 + 12 + 1 + 14 = 63 characters, S3's limit.
 */
export function bucketName(stage: string, role: BucketRole): string {
  return `cutout-${stage}-${role}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}
