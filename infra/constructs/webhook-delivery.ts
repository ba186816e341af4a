import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, QUEUE_SETTINGS, RESOURCES } from '../../core/config/resources.ts';
import { WEBHOOK_ENV, WEBHOOK_SECRET_PREFIX } from '../../core/webhooks/webhook-settings.ts';
import { deliverWebhookEnvShape } from '../../functions/deliver-webhook/env.ts';
import { environmentFor } from '../environment-for.ts';
import { NodeFunction } from './node-function.ts';
import { grantObjects } from './object-grants.ts';
import { queueWaitingAlarm } from './queue-waiting-alarm.ts';

export interface WebhookDeliveryProps {
  readonly jobsTable: ITable;
  readonly keysTable: ITable;
  readonly outputBucket: IBucket;
  readonly logRetention: RetentionDays;
  readonly bundleMetafile: boolean;
  readonly removalPolicy: RemovalPolicy;
  /** Where the dead-letter alarm publishes (alarm and OK). */
  readonly alarmAction: IAlarmAction;
}

/** One attempt's POST (at most WEBHOOK_TIMEOUT_SECONDS, 25) plus its reads and writes. */
const TIMEOUT = Duration.seconds(30);
/** Events wait at most the retry schedule (about a day) plus a backlog. */
const RETENTION = Duration.days(4);
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * Webhook delivery (core/webhooks/): the webhooks queue, its dead-letter queue, and the
 * delivery Lambda on it. Each receive is one attempt, so the queue's maxReceiveCount is the
 * attempts in all and the function is told the same number. Records of a batch are delivered
 * at once and fail one by one (partial batch failures), and the function scales with the
 * queue, so a slow receiver holds up neither the jobs (their workers only enqueue) nor other
 * receivers. The function is outside any VPC: it calls the internet, through the outbound
 * guard (https only, public addresses only: the deployed defaults of CUTOUT_OUTBOUND_*).
 * The queues live here rather than in the storage stack: an event lost with them is sent again
 * by the reconciler, since its job stays in the webhook index until delivered or failed.
 */
export class WebhookDelivery extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly handler: NodeFunction;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    const common = {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    };
    this.deadLetterQueue = new Queue(this, RESOURCES.webhookDeadLetterQueue, {
      ...common,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.queue = new Queue(this, RESOURCES.webhookQueue, {
      ...common,
      retentionPeriod: RETENTION,
      visibilityTimeout: Duration.seconds(QUEUE_SETTINGS.webhook.visibilityTimeoutSeconds),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: QUEUE_SETTINGS.webhook.maxReceiveCount,
      },
    });

    this.handler = new NodeFunction(this, 'DeliverWebhook', {
      name: 'deliver-webhook',
      description: 'Webhooks queue: POSTs each signed event to its receiver, with retries',
      logRetention: props.logRetention,
      metafile: props.bundleMetafile,
      timeout: TIMEOUT,
      environment: environmentFor('deliver-webhook', deliverWebhookEnvShape, {
        [ENV.jobsTable]: props.jobsTable.tableName,
        [ENV.keysTable]: props.keysTable.tableName,
        [ENV.outputBucket]: props.outputBucket.bucketName,
        [WEBHOOK_ENV.maxAttempts]: QUEUE_SETTINGS.webhook.maxReceiveCount,
      }),
    });
    const fn = this.handler.function;
    // getJob (a Query) and the webhook state's conditional UpdateItem on the job item.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [props.jobsTable.tableArn],
      }),
    );
    // The signing secrets only (their own items, adapters/aws/dynamo-webhook-secrets.ts): read,
    // and made on first use; never the key items themselves.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [props.keysTable.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${WEBHOOK_SECRET_PREFIX}*`] },
        },
      }),
    );
    // The event's download_url links are presigned with the function's own credentials.
    grantObjects(fn, props.outputBucket, ['s3:GetObject']);
    fn.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    this.deadLetterAlarm = queueWaitingAlarm(
      this,
      'DeadLettered',
      this.deadLetterQueue,
      'webhook events failed every attempt and went to the dead-letter queue (their jobs show webhook.state failed)',
      props.alarmAction,
    );
  }

  /**
   * What a place that ends files needs to report them (adapters/aws/webhook-notifier.ts): read
   * the job (Query), claim its event (UpdateItem on the job item) and send to the queue.
   */
  grantNotify(grantee: IGrantable, jobsTable: ITable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [jobsTable.tableArn],
      }),
    );
    this.queue.grantSendMessages(grantee);
  }
}
