import type { S3Event } from 'aws-lambda';
import { fileFailedRecord } from '../../adapters/observability/metrics.ts';
import { type MarkUploadedOutcome, markUploaded } from '../../core/jobs/mark-uploaded.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { jobKindOf } from '../shared/job-kind.ts';
import { jobWritePorts } from '../shared/job-write-ports.ts';
import { eventHandler } from '../shared/middleware.ts';
import { createdObjects } from '../shared/s3-event.ts';
import type { UploadConfig } from './env.ts';

/**
 * S3 ObjectCreated on the inputs bucket: queue the uploaded file, or start an incoming/ job.
 * Events that find nothing to do (see markUploaded) are ignored.
 */
export function createUploadHandler(config: UploadConfig, given: Partial<HandlerDeps> = {}) {
  const aws = clientsFor(config, given);
  const deps = {
    ...jobWritePorts(config, aws),
    limits: { ttlDays: config.JOB_TTL_DAYS },
  };

  return eventHandler<S3Event, MarkUploadedOutcome[]>(
    observed('on-upload', config, given),
    async (event, _context, logger, metrics) => {
      const outcomes: MarkUploadedOutcome[] = [];
      for (const object of createdObjects(event)) {
        if (object.bucket !== config.INPUT_BUCKET_NAME) continue;
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
}
