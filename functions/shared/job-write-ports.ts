import type { AwsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { SqsJobQueue } from '../../adapters/aws/sqs-job-queue.ts';

/** The ports the job-writing functions share (convert, on-upload, reconciler): table, inputs, queues. */
export function jobWritePorts(
  config: {
    readonly JOBS_TABLE_NAME: string;
    readonly INPUT_BUCKET_NAME: string;
    readonly IMAGE_QUEUE_URL: string;
    readonly VIDEO_QUEUE_URL: string;
  },
  aws: AwsClients,
) {
  return {
    repo: new DynamoJobRepository(aws.dynamo, config.JOBS_TABLE_NAME),
    inputs: new S3ObjectStore(aws.s3, aws.s3Presign, config.INPUT_BUCKET_NAME),
    queue: new SqsJobQueue(aws.sqs, {
      image: config.IMAGE_QUEUE_URL,
      video: config.VIDEO_QUEUE_URL,
    }),
  };
}
