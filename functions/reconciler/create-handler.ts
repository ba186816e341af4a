import type { ScheduledEvent } from 'aws-lambda';
import { fileFailedRecord, reconcilerRecord } from '../../adapters/observability/metrics.ts';
import { RECONCILER_ENV } from '../../core/config/reconciler.ts';
import { CutoutError } from '../../core/errors.ts';
import { type ReconcileReport, reconcileStranded } from '../../core/jobs/reconcile-stranded.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { jobKindOf } from '../shared/job-kind.ts';
import { jobWritePorts } from '../shared/job-write-ports.ts';
import { eventHandler } from '../shared/middleware.ts';
import type { ReconcilerConfig } from './env.ts';

/**
 * Scheduled (EventBridge): queues files stranded by a lost upload event or a failed enqueue.
 * A run with files it could not handle fails after handling the rest, so the errors alarm sees it.
 */
export function createReconcilerHandler(
  config: ReconcilerConfig,
  given: Partial<HandlerDeps> = {},
) {
  const aws = clientsFor(config, given);
  const deps = {
    ...jobWritePorts(config, aws),
    settings: {
      queuedAfterMs: config[RECONCILER_ENV.queuedAfterSeconds] * 1000,
      uploadGraceMs: config[RECONCILER_ENV.uploadGraceSeconds] * 1000,
      abandonUploadAfterMs: config[RECONCILER_ENV.abandonUploadAfterSeconds] * 1000,
      maxFiles: config[RECONCILER_ENV.maxFiles],
    },
  };

  return eventHandler<ScheduledEvent | undefined, ReconcileReport>(
    observed('reconciler', config, given),
    async (_event, _context, logger, metrics) => {
      const report = await reconcileStranded(deps);
      const counts = {
        uploadsQueued: report.uploadsQueued.length,
        requeued: report.requeued.length,
        abandoned: report.abandoned.length,
        problems: report.problems.length,
      };
      const changed = counts.uploadsQueued + counts.requeued + counts.abandoned > 0;
      logger.log(changed ? 'warn' : 'info', 'reconciled', { ...counts, ...report });
      if (changed) {
        const now = Date.now();
        metrics(reconcilerRecord(counts, now));
        // An abandoned upload is a failed file: counted where the failure-rate alarm looks too.
        for (const id of report.abandoned) {
          const kind = await jobKindOf(deps.repo, id.split('/')[0] ?? id);
          if (kind) metrics(fileFailedRecord({ kind, failedBy: 'reconciler', timestampMs: now }));
        }
      }
      if (report.problems.length > 0) {
        throw new CutoutError(
          'INTERNAL',
          `reconciler: ${report.problems.length} files not handled: ${report.problems.slice(0, 5).join('; ')}`,
        );
      }
      return report;
    },
  );
}
