import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

export type ObjectAction =
  | 's3:GetObject'
  | 's3:PutObject'
  // A streamed upload that fails is aborted (its parts dropped) or, once complete, deleted.
  | 's3:AbortMultipartUpload'
  | 's3:DeleteObject';

/**
 * Grants exactly the object actions named, on the keys matching `keyPattern`, instead of the
 * `s3:GetObject*`/`s3:List*`/`s3:Abort*` families the bucket grant methods add. Readers also
 * get `s3:ListBucket` on the bucket so a missing key reads as 404 (NoSuchKey) rather than 403.
 */
export function grantObjects(
  grantee: IGrantable,
  bucket: IBucket,
  actions: readonly ObjectAction[],
  keyPattern = '*',
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...actions], resources: [bucket.arnForObjects(keyPattern)] }),
  );
  if (actions.includes('s3:GetObject')) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
  }
}
