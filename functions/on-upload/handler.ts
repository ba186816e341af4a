import type { S3Event } from 'aws-lambda';
import { awsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { SqsJobQueue } from '../../adapters/aws/sqs-job-queue.ts';
import { type MarkUploadedOutcome, markUploaded } from '../../core/jobs/mark-uploaded.ts';
import { clientConfig } from '../shared/env-schema.ts';
import { eventHandler } from '../shared/middleware.ts';
import { createdObjects } from '../shared/s3-event.ts';
import { env } from './env.ts';

const aws = awsClients(clientConfig(env));
const deps = {
  repo: new DynamoJobRepository(aws.dynamo, env.JOBS_TABLE_NAME),
  inputs: new S3ObjectStore(aws.s3, aws.s3Presign, env.INPUT_BUCKET_NAME),
  queue: new SqsJobQueue(aws.sqs, { image: env.IMAGE_QUEUE_URL, video: env.VIDEO_QUEUE_URL }),
  limits: { ttlDays: env.JOB_TTL_DAYS },
};

/** S3 ObjectCreated on the inputs bucket: queue the uploaded file, or start an incoming/ job. */
export const handler = eventHandler<S3Event, MarkUploadedOutcome[]>(
  'on-upload',
  async (event, _context, logger) => {
    const outcomes: MarkUploadedOutcome[] = [];
    for (const object of createdObjects(event)) {
      if (object.bucket !== env.INPUT_BUCKET_NAME) continue;
      const outcome = await markUploaded(object, deps);
      logger.log('info', 'upload handled', { key: object.key, ...outcome });
      outcomes.push(outcome);
    }
    return outcomes;
  },
);
