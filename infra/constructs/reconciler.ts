import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PENDING_INDEX } from '../../adapters/aws/table-keys.ts';
import { RECONCILER_DEFAULTS, RECONCILER_ENV } from '../../core/config/reconciler.ts';
import { ENV } from '../../core/config/resources.ts';
import { reconcilerEnvShape } from '../../functions/reconciler/env.ts';
import { environmentFor } from '../environment-for.ts';
import { NodeFunction } from './node-function.ts';
import { grantObjects } from './object-grants.ts';

export interface ReconcilerProps {
  readonly jobsTable: ITable;
  readonly inputBucket: IBucket;
  readonly imageQueue: IQueue;
  readonly videoQueue: IQueue;
  readonly logRetention: RetentionDays;
  readonly bundleMetafile: boolean;
  /** RECONCILE_QUEUED_AFTER_SECONDS (config `reconcileQueuedAfterSeconds`). */
  readonly queuedAfterSeconds: number;
  /** Where the failure alarm publishes (alarm and OK). */
  readonly alarmAction: IAlarmAction;
}

/** A run examines at most a few hundred files; it must end well before the next one starts. */
const TIMEOUT = Duration.minutes(3);
const INTERVAL = Duration.minutes(RECONCILER_DEFAULTS.intervalMinutes);

/**
 * The scheduled reconciler (functions/reconciler): every few minutes it queues files stranded
 * by a lost upload event or a failed enqueue. It reads candidates from the jobs table's pending
 * index, re-reads and conditionally updates file items, looks for input objects and sends
 * queue messages; its role allows exactly that. An alarm fires when runs keep failing.
 */
export class Reconciler extends Construct {
  readonly handler: NodeFunction;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    this.handler = new NodeFunction(this, 'Reconcile', {
      name: 'reconciler',
      description: 'Schedule: queues files stranded by a lost upload event or a failed enqueue',
      logRetention: props.logRetention,
      metafile: props.bundleMetafile,
      timeout: TIMEOUT,
      environment: environmentFor('reconciler', reconcilerEnvShape, {
        [ENV.jobsTable]: props.jobsTable.tableName,
        [ENV.inputBucket]: props.inputBucket.bucketName,
        [ENV.imageQueueUrl]: props.imageQueue.queueUrl,
        [ENV.videoQueueUrl]: props.videoQueue.queueUrl,
        [RECONCILER_ENV.queuedAfterSeconds]: props.queuedAfterSeconds,
      }),
    });
    const fn = this.handler.function;
    // getFile, getJob (a Query on the table) and the conditional status updates.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [props.jobsTable.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.jobsTable.tableArn}/index/${PENDING_INDEX.name}`],
      }),
    );
    // HeadObject is authorised by s3:GetObject.
    grantObjects(fn, props.inputBucket, ['s3:GetObject']);
    props.imageQueue.grantSendMessages(fn);
    props.videoQueue.grantSendMessages(fn);

    // The next scheduled run is the retry; Lambda's own retries would only blur the alarm.
    fn.configureAsyncInvoke({ retryAttempts: 0 });
    new Rule(this, 'Schedule', {
      description: 'Runs the cutout reconciler',
      schedule: Schedule.rate(INTERVAL),
      // A missed run is made up by the next one: no point retrying a stale one for hours.
      targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: INTERVAL })],
    });

    this.alarm = new Alarm(this, 'Failing', {
      alarmDescription:
        'the reconciler failed in two runs in a row: stranded files are not being queued again (see its log group)',
      metric: fn.metricErrors({ period: INTERVAL, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(props.alarmAction);
    this.alarm.addOkAction(props.alarmAction);
  }
}
