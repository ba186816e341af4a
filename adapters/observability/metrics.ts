import {
  INGEST_METRIC_NAMES,
  METRIC_DIMENSION_SETS,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRIC_UNITS,
  METRICS_NAMESPACE,
  type MetricKind,
  type MetricName,
  RECONCILER_METRIC_NAMES,
  TASK_METRIC_NAMES,
} from '../../core/config/metrics.ts';
import type { ProcessFileOutcome } from '../../core/jobs/process-file.ts';

/**
 * CloudWatch Embedded Metric Format records, one JSON line each on stdout: the awslogs driver
 * (worker) and Lambda ship the line and CloudWatch extracts the metrics, so there is no SDK
 * call, no extra permission, and a metric cannot disagree with the line it came from. Every
 * metric the service publishes is built here, from the names in core/config/metrics.ts.
 */

export interface EmfMetricDirective {
  readonly Namespace: string;
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
}

export interface EmfRecord {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly EmfMetricDirective[];
  };
  readonly [key: string]: unknown;
}

export type MetricsWriter = (record: EmfRecord) => void;

/** The production writer: one JSON line per record. */
export function stdoutMetrics(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): MetricsWriter {
  return (record) => write(JSON.stringify(record));
}

export const silentMetrics: MetricsWriter = () => undefined;

interface RecordInput {
  readonly timestampMs: number;
  readonly values: Partial<Record<MetricName, number>>;
  /** Each set may only name keys of `dimensions` (CloudWatch drops the record otherwise). */
  readonly dimensionSets: readonly (readonly string[])[];
  readonly dimensions?: Readonly<Record<string, string>>;
  /** Searchable in Logs Insights, not metrics. */
  readonly properties?: Readonly<Record<string, string>>;
}

function emfRecord(input: RecordInput): EmfRecord {
  const names = Object.keys(input.values) as MetricName[];
  return {
    _aws: {
      Timestamp: input.timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: input.dimensionSets,
          Metrics: names.map((name) => ({ Name: name, Unit: METRIC_UNITS[name] })),
        },
      ],
    },
    ...input.properties,
    ...input.dimensions,
    ...input.values,
  };
}

/** The dimensions of a file's metrics: per kind, and per kind and model when the model is known. */
function fileDimensions(kind: MetricKind, model: string | undefined) {
  return {
    dimensions: {
      [METRIC_DIMENSIONS.kind]: kind,
      ...(model === undefined ? {} : { [METRIC_DIMENSIONS.model]: model }),
    },
    dimensionSets: METRIC_DIMENSION_SETS.filter(
      (set) => model !== undefined || !set.includes(METRIC_DIMENSIONS.model),
    ),
  };
}

export interface FileMetricsInput {
  readonly kind: MetricKind;
  /** Skipped files (duplicates, unknown ids) are not outcomes worth counting. */
  readonly outcome: Extract<ProcessFileOutcome, { outcome: 'done' | 'failed' }>;
  /** Epoch ms of the worker's claim (processing start) and of the stored output. */
  readonly startedMs: number;
  readonly finishedMs: number;
}

/** The worker's record for one finished file. */
export function fileMetricsRecord(input: FileMetricsInput): EmfRecord {
  const { outcome, kind, startedMs, finishedMs } = input;
  const values: Partial<Record<MetricName, number>> = {
    [METRIC_NAMES.filesSucceeded]: outcome.outcome === 'done' ? 1 : 0,
    [METRIC_NAMES.filesFailed]: outcome.outcome === 'failed' ? 1 : 0,
    [METRIC_NAMES.processingDuration]: Math.max(0, finishedMs - startedMs),
  };
  const created = outcome.createdAt === undefined ? Number.NaN : Date.parse(outcome.createdAt);
  // A record without a parseable creation time simply has no end-to-end figure.
  if (Number.isFinite(created)) {
    values[METRIC_NAMES.endToEndDuration] = Math.max(0, finishedMs - created);
  }
  return emfRecord({
    timestampMs: finishedMs,
    values,
    ...fileDimensions(kind, outcome.modelId),
  });
}

/** Where a file failed outside the worker; a property of the record, not a dimension. */
export type FailedBy = 'dead-letter' | 'upload-event' | 'reconciler';

export interface FileFailedInput {
  readonly kind: MetricKind;
  readonly failedBy: FailedBy;
  readonly timestampMs: number;
  readonly modelId?: string;
}

/**
 * One file failed by a Lambda: counted in FilesFailed under the dimensions the worker uses, so
 * the failure-rate alarm sees files that never reached a verdict in a worker.
 */
export function fileFailedRecord(input: FileFailedInput): EmfRecord {
  return emfRecord({
    timestampMs: input.timestampMs,
    values: { [METRIC_NAMES.filesFailed]: 1 },
    properties: { failedBy: input.failedBy },
    ...fileDimensions(input.kind, input.modelId),
  });
}

/** One failed ECS task-protection call (no dimensions). */
export function protectionFailureRecord(timestampMs: number): EmfRecord {
  return emfRecord({
    timestampMs,
    values: { [TASK_METRIC_NAMES.taskProtectionFailures]: 1 },
    dimensionSets: [[]],
  });
}

export interface ReconcilerCounts {
  readonly uploadsQueued: number;
  readonly requeued: number;
  readonly abandoned: number;
}

/** What one reconciler run changed (no dimensions). */
export function reconcilerRecord(counts: ReconcilerCounts, timestampMs: number): EmfRecord {
  return emfRecord({
    timestampMs,
    values: {
      [RECONCILER_METRIC_NAMES.uploadsQueued]: counts.uploadsQueued,
      [RECONCILER_METRIC_NAMES.requeued]: counts.requeued,
      [RECONCILER_METRIC_NAMES.abandoned]: counts.abandoned,
    },
    dimensionSets: [[]],
  });
}

/** Why the streaming front door cut an upload before answering it. */
export type UploadAbortCause = 'idle' | 'disconnect' | 'shutdown';

/** One convert upload the streaming front door cut (no dimensions; the cause as a property). */
export function uploadAbortedRecord(cause: UploadAbortCause, timestampMs: number): EmfRecord {
  return emfRecord({
    timestampMs,
    values: { [INGEST_METRIC_NAMES.uploadsAborted]: 1 },
    properties: { cause },
    dimensionSets: [[]],
  });
}
