/**
 * The CloudWatch metrics the worker and the Lambdas publish (as Embedded Metric Format log
 * lines, adapters/observability/metrics.ts) and the CDK app alarms on and graphs: one
 * definition, so a renamed metric breaks compilation instead of silently emptying a dashboard.
 *
 * Each record for a finished file carries its metrics with the dimension sets in
 * `METRIC_DIMENSION_SETS` it has values for: per kind (what the alarms watch) and per kind and
 * model (what the dashboard breaks down; files failed outside the worker have no model).
 */

export const METRICS_NAMESPACE = 'Cutout';

export const METRIC_DIMENSIONS = {
  /** `image` or `video`. */
  kind: 'Kind',
  /** The manifest model id the file ran with. */
  model: 'Model',
} as const;

export const METRIC_DIMENSION_SETS: readonly (readonly string[])[] = [
  [METRIC_DIMENSIONS.kind],
  [METRIC_DIMENSIONS.kind, METRIC_DIMENSIONS.model],
];

export const METRIC_NAMES = {
  /** Count, 1 per file that reached `done`. */
  filesSucceeded: 'FilesSucceeded',
  /**
   * Count, 1 per file that reached `failed`: in the worker, by the dead-letter handler, by the
   * upload event (object over its declared size) or by the reconciler (upload never came).
   */
  filesFailed: 'FilesFailed',
  /** Milliseconds from the worker's claim to the stored output. */
  processingDuration: 'ProcessingDuration',
  /** Milliseconds from the job's creation to the stored output (queueing and cold starts included). */
  endToEndDuration: 'EndToEndDuration',
} as const;

/**
 * Counted by the CDK app from the worker's JSON log lines (`"level": "error"`), not emitted by
 * the worker itself: one per error line, no dimensions.
 */
export const LOG_METRIC_NAMES = {
  workerErrors: 'WorkerErrors',
} as const;

/**
 * Worker metrics about the task rather than a file: published without dimensions.
 */
export const TASK_METRIC_NAMES = {
  /**
   * Count, 1 per failed call to the ECS agent's task scale-in protection endpoint. A task that
   * cannot protect itself may be stopped mid-file on scale-in (its file is then retried).
   */
  taskProtectionFailures: 'TaskProtectionFailures',
} as const;

/**
 * What one reconciler run changed: published without dimensions, one record per run that
 * changed anything. Steady non-zero values mean upload events or enqueues are being lost.
 */
export const RECONCILER_METRIC_NAMES = {
  /** Count of uploads whose object was there but whose event never queued them. */
  uploadsQueued: 'ReconcilerUploadsQueued',
  /** Count of queued files sent to their queue again. */
  requeued: 'ReconcilerRequeued',
  /** Count of uploads failed because no object came before their URL expired. */
  abandoned: 'ReconcilerAbandoned',
} as const;

/**
 * The streaming front door's own metric (the load balancer counts requests, statuses and
 * latency): published without dimensions, with the cause (`idle`, `disconnect`, `shutdown`)
 * as a property.
 */
export const INGEST_METRIC_NAMES = {
  /** Count of convert uploads cut before their answer: the client went quiet or away, or the task stopped. */
  uploadsAborted: 'IngestUploadsAborted',
} as const;

export type MetricName =
  | (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES]
  | (typeof INGEST_METRIC_NAMES)[keyof typeof INGEST_METRIC_NAMES]
  | (typeof TASK_METRIC_NAMES)[keyof typeof TASK_METRIC_NAMES]
  | (typeof RECONCILER_METRIC_NAMES)[keyof typeof RECONCILER_METRIC_NAMES];

export const METRIC_UNITS: Readonly<Record<MetricName, 'Count' | 'Milliseconds'>> = {
  [METRIC_NAMES.filesSucceeded]: 'Count',
  [METRIC_NAMES.filesFailed]: 'Count',
  [METRIC_NAMES.processingDuration]: 'Milliseconds',
  [METRIC_NAMES.endToEndDuration]: 'Milliseconds',
  [TASK_METRIC_NAMES.taskProtectionFailures]: 'Count',
  [RECONCILER_METRIC_NAMES.uploadsQueued]: 'Count',
  [RECONCILER_METRIC_NAMES.requeued]: 'Count',
  [RECONCILER_METRIC_NAMES.abandoned]: 'Count',
  [INGEST_METRIC_NAMES.uploadsAborted]: 'Count',
};

export type MetricKind = 'image' | 'video';
