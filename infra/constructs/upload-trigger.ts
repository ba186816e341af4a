import { Duration } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, S3_PREFIX } from '../../core/config/resources.ts';
import { uploadEnvShape } from '../../functions/on-upload/env.ts';
import { environmentFor } from '../environment-for.ts';
import { NodeFunction } from './node-function.ts';
import { grantObjects } from './object-grants.ts';
import { queueWaitingAlarm } from './queue-waiting-alarm.ts';
import { grantJobTable, JOB_TABLE_ACCESS } from './table-grants.ts';

export interface UploadTriggerProps {
  readonly jobsTable: ITable;
  readonly inputBucket: IBucket;
  readonly imageQueue: IQueue;
  readonly videoQueue: IQueue;
  readonly jobTtlDays: number;
  readonly logRetention: RetentionDays;
  readonly bundleMetafile: boolean;
  /** Where the failed-events alarm publishes (alarm and OK). */
  readonly alarmAction: IAlarmAction;
}

/** S3 invokes on-upload asynchronously; Lambda retries a failed event twice, within this age. */
const MAX_EVENT_AGE = Duration.hours(6);

/**
 * The on-upload Lambda and the inputs bucket's ObjectCreated notifications for `jobs/`
 * (presigned uploads completing a job's file) and `incoming/` (objects dropped in to start a
 * job). `inputBucket` must be an imported bucket (`Bucket.fromBucketName`): the notification
 * then lives in this stack, which depends on the storage stack and not the other way round.
 */
export class UploadTrigger extends Construct {
  readonly handler: NodeFunction;
  /** Upload events on-upload failed on after every retry (Lambda's on-failure destination). */
  readonly failedEvents: Queue;
  readonly failedEventsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: UploadTriggerProps) {
    super(scope, id);
    this.handler = new NodeFunction(this, 'OnUpload', {
      name: 'on-upload',
      description: 'S3 ObjectCreated on the inputs bucket: marks the file uploaded and queues it',
      logRetention: props.logRetention,
      metafile: props.bundleMetafile,
      environment: environmentFor('on-upload', uploadEnvShape, {
        [ENV.jobsTable]: props.jobsTable.tableName,
        [ENV.inputBucket]: props.inputBucket.bucketName,
        [ENV.imageQueueUrl]: props.imageQueue.queueUrl,
        [ENV.videoQueueUrl]: props.videoQueue.queueUrl,
        [ENV.jobTtlDays]: props.jobTtlDays,
      }),
    });
    grantJobTable(this.handler.function, props.jobsTable, JOB_TABLE_ACCESS['on-upload']);
    grantObjects(this.handler.function, props.inputBucket, ['s3:GetObject']);
    props.imageQueue.grantSendMessages(this.handler.function);
    props.videoQueue.grantSendMessages(this.handler.function);

    // An event that fails every retry is kept here (the whole S3 event with the error) and
    // alarmed on, not dropped. The file it was about is queued by the reconciler anyway; an
    // incoming/ object is not (it has no job yet): drop it again, or replay the event.
    this.failedEvents = new Queue(this, 'FailedEvents', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.handler.function.configureAsyncInvoke({
      onFailure: new SqsDestination(this.failedEvents),
      retryAttempts: 2,
      maxEventAge: MAX_EVENT_AGE,
    });
    this.failedEventsAlarm = queueWaitingAlarm(
      this,
      'EventsFailed',
      this.failedEvents,
      'an S3 upload event failed every on-upload attempt; it waits in the failed-events queue (an incoming/ object may need dropping again)',
      props.alarmAction,
    );

    const destination = new LambdaDestination(this.handler.function);
    for (const prefix of [S3_PREFIX.jobs, S3_PREFIX.incoming]) {
      props.inputBucket.addEventNotification(EventType.OBJECT_CREATED, destination, { prefix });
    }
  }
}
