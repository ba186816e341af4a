import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { CutoutConfig } from '../config.ts';
import { JobBuckets } from '../constructs/job-buckets.ts';
import { JobQueues } from '../constructs/job-queues.ts';
import { JobTables } from '../constructs/job-tables.ts';
import { bucketName } from '../resource-names.ts';

export interface StorageStackProps extends StackProps {
  readonly config: CutoutConfig;
}

/**
 * Everything that holds data: buckets, tables, queues. Construct ids here never change (a new
 * id is a new resource and an emptied one). In `prod` the stack is termination-protected and
 * its resources are retained when deleted.
 */
export class StorageStack extends Stack {
  readonly buckets: JobBuckets;
  readonly tables: JobTables;
  readonly queues: JobQueues;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    const production = props.config.stage === 'prod';
    super(scope, id, { ...props, terminationProtection: production });
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.buckets = new JobBuckets(this, 'Buckets', {
      names: {
        inputs: bucketName(props.config.stage, 'inputs'),
        outputs: bucketName(props.config.stage, 'outputs'),
      },
      jobTtlDays: props.config.jobTtlDays,
      corsOrigins: props.config.corsOrigins,
      removalPolicy,
      autoDeleteObjects: !production,
    });
    this.tables = new JobTables(this, 'Tables', {
      removalPolicy,
      deletionProtection: production,
    });
    this.queues = new JobQueues(this, 'Queues', {
      jobTtlDays: props.config.jobTtlDays,
      removalPolicy,
    });
  }
}
