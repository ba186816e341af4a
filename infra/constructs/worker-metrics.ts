import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  LOG_METRIC_NAMES,
  METRIC_DIMENSIONS,
  METRICS_NAMESPACE,
  type MetricKind,
  TASK_METRIC_NAMES,
} from '../../core/config/metrics.ts';

/** The workers' metrics (EMF and log-filter metrics named in core/config/metrics.ts) as CDK sees them. */

/** The period of the alarms and graphs. */
export const FIVE_MINUTES = Duration.minutes(5);

/** Failed ECS task-protection calls (EMF, no dimensions): busy tasks exposed to scale-in. */
export function protectionFailures(): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: TASK_METRIC_NAMES.taskProtectionFailures,
    statistic: 'Sum',
    period: FIVE_MINUTES,
    label: 'task protection failures',
  });
}

/** Error lines in the workers' logs, counted by a metric filter. */
export function workerErrors(): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: LOG_METRIC_NAMES.workerErrors,
    statistic: 'Sum',
    period: FIVE_MINUTES,
    label: 'worker errors',
  });
}

/** One worker metric for one kind of job. */
export function workerMetric(name: string, kind: MetricKind, statistic: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [METRIC_DIMENSIONS.kind]: kind },
    statistic,
    period: FIVE_MINUTES,
  });
}
