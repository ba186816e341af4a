import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../core/config/resources.ts';
import { deadLetterEnvShape } from '../../functions/on-dead-letter/env.ts';
import { environmentFor } from '../environment-for.ts';
import { NodeFunction } from './node-function.ts';
import { grantJobTable, JOB_TABLE_ACCESS } from './table-grants.ts';

export interface DeadLetterHandlerProps {
  readonly jobsTable: ITable;
  readonly deadLetterQueues: readonly IQueue[];
  readonly logRetention: RetentionDays;
  readonly bundleMetafile: boolean;
}

/** Must stay under the dead-letter queues' visibility timeout (job-queues.ts). */
const TIMEOUT = Duration.seconds(30);

/**
 * Marks a file failed, with a readable error, when its message lands in a dead-letter queue,
 * so `/v1/results` reports it instead of waiting forever. Messages it cannot settle stay in
 * the queue (partial batch failures) and raise the DLQ alarms.
 */
export class DeadLetterHandler extends Construct {
  readonly handler: NodeFunction;

  constructor(scope: Construct, id: string, props: DeadLetterHandlerProps) {
    super(scope, id);
    this.handler = new NodeFunction(this, 'OnDeadLetter', {
      name: 'on-dead-letter',
      description: 'Dead-letter queues: marks the message’s file failed',
      logRetention: props.logRetention,
      metafile: props.bundleMetafile,
      timeout: TIMEOUT,
      environment: environmentFor('on-dead-letter', deadLetterEnvShape, {
        [ENV.jobsTable]: props.jobsTable.tableName,
      }),
    });
    grantJobTable(this.handler.function, props.jobsTable, JOB_TABLE_ACCESS['on-dead-letter']);
    for (const queue of props.deadLetterQueues) {
      this.handler.function.addEventSource(
        new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }),
      );
    }
  }
}
