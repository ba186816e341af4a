/**
 * The CloudWatch metrics the worker publishes (as Embedded Metric Format log lines) and the CDK
 * app alarms on and graphs: one definition, so a renamed metric breaks compilation instead of
 * silently emptying a dashboard.
 *
 * Each worker log record for a finished file carries the metrics below with both dimension sets
 * in `METRIC_DIMENSION_SETS`: per kind (what the alarms watch) and per kind and model (what the
 * dashboard breaks down).
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
  /** Count, 1 per file that reached `failed` (in the worker or through the dead-letter queue). */
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

export const METRIC_UNITS = {
  [METRIC_NAMES.filesSucceeded]: 'Count',
  [METRIC_NAMES.filesFailed]: 'Count',
  [METRIC_NAMES.processingDuration]: 'Milliseconds',
  [METRIC_NAMES.endToEndDuration]: 'Milliseconds',
} as const;

export type MetricKind = 'image' | 'video';
