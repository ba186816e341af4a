import type { S3Event } from 'aws-lambda';
import { awsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { SqsJobQueue } from '../../adapters/aws/sqs-job-queue.ts';
import { fileFailedRecord } from '../../adapters/observability/metrics.ts';
import { type MarkUploadedOutcome, markUploaded } from '../../core/jobs/mark-uploaded.ts';
import { clientConfig } from '../shared/env-schema.ts';
import { jobKindOf } from '../shared/job-kind.ts';
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

/**
 * S3 ObjectCreated on the inputs bucket: queue the uploaded file, or start an incoming/ job.
 * Events that find nothing to do (see markUploaded) are ignored.
 */
export const handler = eventHandler<S3Event, MarkUploadedOutcome[]>(
  { service: 'on-upload', level: env.LOG_LEVEL },
  async (event, _context, logger, metrics) => {
    const outcomes: MarkUploadedOutcome[] = [];
    for (const object of createdObjects(event)) {
      if (object.bucket !== env.INPUT_BUCKET_NAME) continue;
      const outcome = await markUploaded(object, deps);
      // Ignored events are the normal duplicates of at-least-once delivery (an inline file's
      // own object, a repeated upload), not problems: a debug line, nothing that reads as one.
      if (outcome.outcome === 'ignored') {
        logger.log('debug', 'upload event ignored', { key: object.key, reason: outcome.reason });
      } else {
        logger.log('info', 'upload handled', { key: object.key, ...outcome });
      }
      if (outcome.outcome === 'failed') {
        // The outcome names the job only; its kind is one read away, on this rare path alone.
        const kind = await jobKindOf(deps.repo, outcome.jobId);
        if (kind) {
          metrics(fileFailedRecord({ kind, failedBy: 'upload-event', timestampMs: Date.now() }));
        }
      }
      outcomes.push(outcome);
    }
    return outcomes;
  },
);
