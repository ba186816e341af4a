import type { ScheduledEvent } from 'aws-lambda';
import { DynamoWebhookStore } from '../../adapters/aws/dynamo-webhook-store.ts';
import { SqsWebhookQueue } from '../../adapters/aws/sqs-webhook-queue.ts';
import { webhookNotifier } from '../../adapters/aws/webhook-notifier.ts';
import { fileFailedRecord, reconcilerRecord } from '../../adapters/observability/metrics.ts';
import { RECONCILER_ENV } from '../../core/config/reconciler.ts';
import { CutoutError } from '../../core/errors.ts';
import { type ReconcileReport, reconcileStranded } from '../../core/jobs/reconcile-stranded.ts';
import {
  type ReconcileWebhooksReport,
  reconcileWebhooks,
} from '../../core/webhooks/reconcile-webhooks.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { jobKindOf } from '../shared/job-kind.ts';
import { jobWritePorts } from '../shared/job-write-ports.ts';
import { eventHandler } from '../shared/middleware.ts';
import type { ReconcilerConfig } from './env.ts';

/** A run's report; `webhooks` when a webhooks queue is set up. */
export type ReconcileRun = ReconcileReport & { readonly webhooks?: ReconcileWebhooksReport };

/**
 * Scheduled (EventBridge): queues files stranded by a lost upload event or a failed enqueue,
 * and (with a webhooks queue) sends finished jobs' webhook events whose claim or send was lost.
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

  const webhookQueueUrl = config.WEBHOOK_QUEUE_URL;
  const webhookDeps = webhookQueueUrl
    ? {
        repo: deps.repo,
        webhooks: new DynamoWebhookStore(aws.dynamo, config.JOBS_TABLE_NAME),
        queue: new SqsWebhookQueue(aws.sqs, webhookQueueUrl),
        settings: {
          staleMs: config.RECONCILE_WEBHOOK_STALE_SECONDS * 1000,
          graceMs: config.RECONCILE_WEBHOOK_GRACE_SECONDS * 1000,
        },
      }
    : undefined;
  const notify = webhookNotifier({
    dynamo: aws.dynamo,
    sqs: aws.sqs,
    jobsTable: config.JOBS_TABLE_NAME,
    queueUrl: webhookQueueUrl,
  });

  return eventHandler<ScheduledEvent | undefined, ReconcileRun>(
    observed('reconciler', config, given),
    async (_event, _context, logger, metrics) => {
      const stranded = await reconcileStranded(deps);
      // An abandoned upload ended its file: its job may now be finished.
      for (const id of stranded.abandoned) {
        const [jobId, fileId] = id.split('/');
        if (jobId) await notify?.(jobId, fileId).catch(() => undefined);
      }
      const webhooks = webhookDeps ? await reconcileWebhooks(webhookDeps) : undefined;
      if (webhooks && webhooks.claimed.length + webhooks.resent.length > 0) {
        logger.log('warn', 'webhook events sent by the reconciler', { ...webhooks });
      }
      const report: ReconcileRun = {
        ...stranded,
        ...(webhooks ? { webhooks } : {}),
        problems: [...stranded.problems, ...(webhooks?.problems ?? [])],
      };
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
