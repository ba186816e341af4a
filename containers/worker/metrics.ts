import {
  METRIC_DIMENSION_SETS,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRIC_UNITS,
  METRICS_NAMESPACE,
  type MetricKind,
} from '../../core/config/metrics.ts';
import type { ProcessFileOutcome } from '../../core/jobs/process-file.ts';

/**
 * One CloudWatch Embedded Metric Format record per finished file. Written to stdout as a JSON
 * line, the awslogs driver ships it and CloudWatch extracts the metrics: no SDK call, no
 * extra permissions, and the metrics cannot disagree with the log line they came from.
 */

export interface FileMetricsInput {
  readonly kind: MetricKind;
  /** Skipped files (duplicates, unknown ids) are not outcomes worth counting. */
  readonly outcome: Extract<ProcessFileOutcome, { outcome: 'done' | 'failed' }>;
  /** Epoch ms of the worker's claim (processing start) and of the stored output. */
  readonly startedMs: number;
  readonly finishedMs: number;
}

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

export function fileMetricsRecord(input: FileMetricsInput): EmfRecord {
  const { outcome, kind, startedMs, finishedMs } = input;
  const values: Record<string, number> = {
    [METRIC_NAMES.filesSucceeded]: outcome.outcome === 'done' ? 1 : 0,
    [METRIC_NAMES.filesFailed]: outcome.outcome === 'failed' ? 1 : 0,
    [METRIC_NAMES.processingDuration]: Math.max(0, finishedMs - startedMs),
  };
  const created = outcome.createdAt === undefined ? Number.NaN : Date.parse(outcome.createdAt);
  // A record without a parseable creation time simply has no end-to-end figure.
  if (Number.isFinite(created)) {
    values[METRIC_NAMES.endToEndDuration] = Math.max(0, finishedMs - created);
  }
  const model = outcome.modelId;
  // A dimension set may only name keys the record carries, so no model means per-kind only.
  const dimensions = METRIC_DIMENSION_SETS.filter(
    (set) => model !== undefined || !set.includes(METRIC_DIMENSIONS.model),
  );
  return {
    _aws: {
      Timestamp: finishedMs,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: dimensions,
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: unitOf(name) })),
        },
      ],
    },
    [METRIC_DIMENSIONS.kind]: kind,
    ...(model === undefined ? {} : { [METRIC_DIMENSIONS.model]: model }),
    ...values,
  };
}

function unitOf(name: string): string {
  return METRIC_UNITS[name as keyof typeof METRIC_UNITS];
}

export type MetricsWriter = (record: EmfRecord) => void;

/** The production writer: one JSON line on stdout per record. */
export function stdoutMetrics(write: (line: string) => void): MetricsWriter {
  return (record) => write(JSON.stringify(record));
}

export const silentMetrics: MetricsWriter = () => undefined;
