import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IWidget,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '../../core/config/metrics.ts';
import { queueBacklog } from './queue-backlog-scaling.ts';
import type { ServiceMonitoringProps } from './service-monitoring.ts';
import { FIVE_MINUTES, protectionFailures, workerErrors, workerMetric } from './worker-metrics.ts';

/**
 * The service's one dashboard, a row at a time: the API, the queues, the workers, and files per
 * model.
 */
export function addServiceDashboard(scope: Construct, props: ServiceMonitoringProps): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', {
    dashboardName: `cutout-${props.stage}`,
    defaultInterval: Duration.hours(6),
  });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# cutout ${props.stage}\nAPI, queues, workers and files. Alarms publish to the alarm topic.`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(...apiRow(props));
  dashboard.addWidgets(...queueRow(props));
  dashboard.addWidgets(...workerRow(props));
  dashboard.addWidgets(...perModelRow());
  return dashboard;
}

function apiRow(props: ServiceMonitoringProps): IWidget[] {
  return [
    new GraphWidget({
      title: 'API requests and errors',
      left: [
        props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
        props.api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'API latency (ms)',
      left: [
        props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
        props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p90' }),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Lambda errors',
      left: Object.entries(props.functions).map(([name, fn]) =>
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: name }),
      ),
      width: 8,
    }),
  ];
}

function queueRow(props: ServiceMonitoringProps): IWidget[] {
  return [
    new GraphWidget({
      title: 'Queue backlog (visible + in flight)',
      left: props.queues.map((q) => queueBacklog(q.queue, q.kind).with({ label: q.kind })),
      width: 8,
    }),
    new GraphWidget({
      title: 'Oldest message age (s)',
      left: props.queues.map((q) =>
        q.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: 'Maximum',
          label: q.kind,
        }),
      ),
      width: 8,
    }),
    new GraphWidget({
      title: 'Dead-letter queues',
      left: props.queues.map((q) =>
        q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
          label: `${q.kind} waiting`,
        }),
      ),
      right: props.queues.map((q) =>
        q.deadLetterQueue.metricNumberOfMessagesReceived({
          period: FIVE_MINUTES,
          statistic: 'Sum',
          label: `${q.kind} dead-lettered`,
        }),
      ),
      width: 8,
    }),
  ];
}

function workerRow(props: ServiceMonitoringProps): IWidget[] {
  return [
    new GraphWidget({
      title: 'Running workers',
      left: props.queues.map(
        (q) =>
          new Metric({
            namespace: 'ECS/ContainerInsights',
            metricName: 'RunningTaskCount',
            dimensionsMap: {
              ClusterName: props.clusterName,
              ServiceName: q.workers.serviceName,
            },
            statistic: 'Maximum',
            period: Duration.minutes(1),
            label: q.kind,
          }),
      ),
      width: 8,
    }),
    new GraphWidget({
      title: 'Files done / failed, worker errors',
      left: props.queues.flatMap((q) => [
        workerMetric(METRIC_NAMES.filesSucceeded, q.kind, 'Sum').with({
          label: `${q.kind} done`,
        }),
        workerMetric(METRIC_NAMES.filesFailed, q.kind, 'Sum').with({
          label: `${q.kind} failed`,
        }),
      ]),
      right: [workerErrors(), protectionFailures()],
      width: 8,
    }),
    new GraphWidget({
      title: 'Processing time (ms, p50 / p90)',
      left: props.queues.flatMap((q) => [
        workerMetric(METRIC_NAMES.processingDuration, q.kind, 'p50').with({
          label: `${q.kind} p50`,
        }),
        workerMetric(METRIC_NAMES.processingDuration, q.kind, 'p90').with({
          label: `${q.kind} p90`,
        }),
      ]),
      right: props.queues.map((q) =>
        workerMetric(METRIC_NAMES.endToEndDuration, q.kind, 'p90').with({
          label: `${q.kind} end-to-end p90`,
        }),
      ),
      width: 8,
    }),
  ];
}

/** Every model's files and time, found by a metric search over the kind and model dimensions. */
function perModelRow(): IWidget[] {
  const perModel = (metric: string, statistic: string) =>
    new MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.kind},${METRIC_DIMENSIONS.model}} MetricName="${metric}"', '${statistic}', 300)`,
      label: '',
      period: FIVE_MINUTES,
    });
  return [
    new GraphWidget({
      title: 'Files done per model',
      left: [perModel(METRIC_NAMES.filesSucceeded, 'Sum')],
      width: 8,
    }),
    new GraphWidget({
      title: 'Files failed per model',
      left: [perModel(METRIC_NAMES.filesFailed, 'Sum')],
      width: 8,
    }),
    new GraphWidget({
      title: 'Processing time per model (ms, p90)',
      left: [perModel(METRIC_NAMES.processingDuration, 'p90')],
      width: 8,
    }),
  ];
}
