import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_SETTINGS, RESOURCES } from '../../core/config/resources.ts';

export interface JobQueuesProps {
  /** Messages older than the job are useless: retention follows the TTL (SQS caps it at 14 days). */
  readonly jobTtlDays: number;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The dead-letter queues are drained by the on-dead-letter Lambda; SQS wants their visibility
 * timeout to be at least the function's timeout, and AWS suggests six times it.
 */
export const DEAD_LETTER_VISIBILITY = Duration.minutes(3);

const MAX_RETENTION_DAYS = 14;

/**
 * The image and video work queues, each with a dead-letter queue after
 * `QUEUE_SETTINGS.<kind>.maxReceiveCount` receives. Messages carry ids only, SSE-SQS encrypted,
 * TLS-only. Visibility timeouts come from QUEUE_SETTINGS (the worker extends them while it works).
 */
export class JobQueues extends Construct {
  readonly image: Queue;
  readonly imageDeadLetter: Queue;
  readonly video: Queue;
  readonly videoDeadLetter: Queue;

  constructor(scope: Construct, id: string, props: JobQueuesProps) {
    super(scope, id);
    const retentionPeriod = Duration.days(Math.min(props.jobTtlDays, MAX_RETENTION_DAYS));
    const common = {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    };
    const deadLetter = (name: string) =>
      new Queue(this, name, {
        ...common,
        retentionPeriod: Duration.days(MAX_RETENTION_DAYS),
        visibilityTimeout: DEAD_LETTER_VISIBILITY,
      });

    this.imageDeadLetter = deadLetter(RESOURCES.imageDeadLetterQueue);
    this.image = new Queue(this, RESOURCES.imageQueue, {
      ...common,
      retentionPeriod,
      visibilityTimeout: Duration.seconds(QUEUE_SETTINGS.image.visibilityTimeoutSeconds),
      deadLetterQueue: {
        queue: this.imageDeadLetter,
        maxReceiveCount: QUEUE_SETTINGS.image.maxReceiveCount,
      },
    });

    this.videoDeadLetter = deadLetter(RESOURCES.videoDeadLetterQueue);
    this.video = new Queue(this, RESOURCES.videoQueue, {
      ...common,
      retentionPeriod,
      visibilityTimeout: Duration.seconds(QUEUE_SETTINGS.video.visibilityTimeoutSeconds),
      deadLetterQueue: {
        queue: this.videoDeadLetter,
        maxReceiveCount: QUEUE_SETTINGS.video.maxReceiveCount,
      },
    });
  }
}
