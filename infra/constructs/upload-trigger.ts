import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, S3_PREFIX } from '../../core/config/resources.ts';
import { NodeFunction } from './node-function.ts';
import { grantObjects } from './object-grants.ts';

export interface UploadTriggerProps {
  readonly jobsTable: ITable;
  readonly inputBucket: IBucket;
  readonly outputBucket: IBucket;
  readonly imageQueue: IQueue;
  readonly videoQueue: IQueue;
  readonly jobTtlDays: number;
  readonly logRetention: RetentionDays;
  readonly bundleMetafile: boolean;
}

/**
 * The on-upload Lambda and the inputs bucket's ObjectCreated notifications for `jobs/`
 * (presigned uploads completing a job's file) and `incoming/` (objects dropped in to start a
 * job). `inputBucket` must be an imported bucket (`Bucket.fromBucketName`): the notification
 * then lives in this stack, which depends on the storage stack and not the other way round.
 */
export class UploadTrigger extends Construct {
  readonly handler: NodeFunction;

  constructor(scope: Construct, id: string, props: UploadTriggerProps) {
    super(scope, id);
    this.handler = new NodeFunction(this, 'OnUpload', {
      name: 'on-upload',
      description: 'S3 ObjectCreated on the inputs bucket: marks the file uploaded and queues it',
      logRetention: props.logRetention,
      metafile: props.bundleMetafile,
      environment: {
        [ENV.jobsTable]: props.jobsTable.tableName,
        [ENV.inputBucket]: props.inputBucket.bucketName,
        [ENV.outputBucket]: props.outputBucket.bucketName,
        [ENV.imageQueueUrl]: props.imageQueue.queueUrl,
        [ENV.videoQueueUrl]: props.videoQueue.queueUrl,
        [ENV.jobTtlDays]: String(props.jobTtlDays),
      },
    });
    props.jobsTable.grantReadWriteData(this.handler.function);
    grantObjects(this.handler.function, props.inputBucket, ['s3:GetObject']);
    props.imageQueue.grantSendMessages(this.handler.function);
    props.videoQueue.grantSendMessages(this.handler.function);

    const destination = new LambdaDestination(this.handler.function);
    for (const prefix of [S3_PREFIX.jobs, S3_PREFIX.incoming]) {
      props.inputBucket.addEventNotification(EventType.OBJECT_CREATED, destination, { prefix });
    }
  }
}
