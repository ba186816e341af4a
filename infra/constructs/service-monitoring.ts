import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { BaseService } from 'aws-cdk-lib/aws-ecs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  LOG_METRIC_NAMES,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  type MetricKind,
  TASK_METRIC_NAMES,
} from '../../core/config/metrics.ts';
import { queueBacklog } from './queue-backlog-scaling.ts';

export interface MonitoredQueue {
  readonly kind: MetricKind;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Alarm when the oldest waiting message is older than this (cold starts included). */
  readonly maxMessageAge: Duration;
  readonly workers: BaseService;
  /** The workers' log group: error lines are counted into `WorkerErrors`. */
  readonly workerLogs: ILogGroup;
}

export interface ServiceMonitoringProps {
  readonly stage: string;
  readonly topic: ITopic;
  readonly api: RestApi;
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly queues: readonly MonitoredQueue[];
  readonly clusterName: string;
}

const FIVE_MINUTES = Duration.minutes(5);
/** Below this many events in a period an error rate says nothing; the alarms stay quiet. */
const MIN_SAMPLE = 5;

/**
 * The alarms (dead-lettered files, old messages, Lambda and worker error rates, API 5xx) and
 * the one dashboard. Worker metrics are the EMF metrics named in core/config/metrics.ts.
 */
export class ServiceMonitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);

    for (const q of props.queues) {
      this.alarm(`${q.kind}-dead-letter-depth`, {
        description: `${q.kind} files are waiting in the dead-letter queue (the on-dead-letter Lambda is not draining it)`,
        metric: q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        threshold: 1,
      });
      this.alarm(`${q.kind}-dead-lettered`, {
        description: `${q.kind} files failed every attempt and went to the dead-letter queue`,
        metric: q.deadLetterQueue.metricNumberOfMessagesReceived({
          period: FIVE_MINUTES,
          statistic: 'Sum',
        }),
        threshold: 1,
      });
      this.alarm(`${q.kind}-oldest-message-age`, {
        description: `the oldest ${q.kind} message waited over ${q.maxMessageAge.toMinutes()} minutes: workers cannot start (GPU quota, spot capacity) or keep up`,
        metric: q.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: q.maxMessageAge.toSeconds(),
        evaluationPeriods: 3,
      });
      this.alarm(`${q.kind}-failure-rate`, {
        description: `over 10% of ${q.kind} files failed in 15 minutes`,
        metric: new MathExpression({
          expression: `IF(ok + failed >= ${MIN_SAMPLE}, 100 * failed / (ok + failed), 0)`,
          usingMetrics: {
            ok: this.workerMetric(METRIC_NAMES.filesSucceeded, q.kind, 'Sum'),
            failed: this.workerMetric(METRIC_NAMES.filesFailed, q.kind, 'Sum'),
          },
          period: Duration.minutes(15),
          label: `${q.kind} failure rate (%)`,
        }),
        threshold: 10,
      });
    }

    for (const q of props.queues) {
      new MetricFilter(this, `${q.kind}-worker-errors`, {
        logGroup: q.workerLogs,
        filterPattern: FilterPattern.stringValue('$.level', '=', 'error'),
        metricNamespace: METRICS_NAMESPACE,
        metricName: LOG_METRIC_NAMES.workerErrors,
        metricValue: '1',
        defaultValue: 0,
      });
    }
    this.alarm('task-protection-failures', {
      description:
        'a worker could not set ECS task scale-in protection (check the task role allows ecs:UpdateTaskProtection): busy tasks may be stopped on scale-in',
      metric: this.protectionFailures(),
      threshold: 1,
    });
    this.alarm('worker-errors', {
      description: 'workers logged 10 or more errors in 5 minutes',
      metric: this.workerErrors(),
      threshold: 10,
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}-error-rate`, {
        description: `over 5% of ${name} Lambda invocations failed in 5 minutes`,
        metric: new MathExpression({
          expression: `IF(calls >= ${MIN_SAMPLE}, 100 * errors / calls, 0)`,
          usingMetrics: {
            calls: fn.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum' }),
            errors: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          },
          period: FIVE_MINUTES,
          label: `${name} error rate (%)`,
        }),
        threshold: 5,
      });
    }

    this.alarm('api-5xx-rate', {
      description: 'over 5% of API requests answered 5xx in 5 minutes',
      metric: new MathExpression({
        expression: `IF(requests >= ${MIN_SAMPLE}, 100 * errors / requests, 0)`,
        usingMetrics: {
          requests: props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
          errors: props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        },
        period: FIVE_MINUTES,
        label: 'API 5xx rate (%)',
      }),
      threshold: 5,
    });

    this.dashboard = this.buildDashboard(props);
  }

  /** Failed ECS task-protection calls (EMF, no dimensions): busy tasks exposed to scale-in. */
  private protectionFailures(): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: TASK_METRIC_NAMES.taskProtectionFailures,
      statistic: 'Sum',
      period: FIVE_MINUTES,
      label: 'task protection failures',
    });
  }

  private workerErrors(): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: LOG_METRIC_NAMES.workerErrors,
      statistic: 'Sum',
      period: FIVE_MINUTES,
      label: 'worker errors',
    });
  }

  private workerMetric(name: string, kind: MetricKind, statistic: string): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { [METRIC_DIMENSIONS.kind]: kind },
      statistic,
      period: FIVE_MINUTES,
    });
  }

  private alarm(
    id: string,
    options: {
      description: string;
      metric: IMetric;
      threshold: number;
      evaluationPeriods?: number;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }

  private buildDashboard(props: ServiceMonitoringProps): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `cutout-${props.stage}`,
      defaultInterval: Duration.hours(6),
    });
    const fns = Object.entries(props.functions);
    const perModel = (metric: string, statistic: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.kind},${METRIC_DIMENSIONS.model}} MetricName="${metric}"', '${statistic}', 300)`,
        label: '',
        period: FIVE_MINUTES,
      });

    dashboard.addWidgets(
      new TextWidget({
        markdown: `# cutout ${props.stage}\nAPI, queues, workers and files. Alarms publish to the alarm topic.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
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
        left: fns.map(([name, fn]) =>
          fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: name }),
        ),
        width: 8,
      }),
    );
    dashboard.addWidgets(
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
    );
    dashboard.addWidgets(
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
          this.workerMetric(METRIC_NAMES.filesSucceeded, q.kind, 'Sum').with({
            label: `${q.kind} done`,
          }),
          this.workerMetric(METRIC_NAMES.filesFailed, q.kind, 'Sum').with({
            label: `${q.kind} failed`,
          }),
        ]),
        right: [this.workerErrors(), this.protectionFailures()],
        width: 8,
      }),
      new GraphWidget({
        title: 'Processing time (ms, p50 / p90)',
        left: props.queues.flatMap((q) => [
          this.workerMetric(METRIC_NAMES.processingDuration, q.kind, 'p50').with({
            label: `${q.kind} p50`,
          }),
          this.workerMetric(METRIC_NAMES.processingDuration, q.kind, 'p90').with({
            label: `${q.kind} p90`,
          }),
        ]),
        right: props.queues.map((q) =>
          this.workerMetric(METRIC_NAMES.endToEndDuration, q.kind, 'p90').with({
            label: `${q.kind} end-to-end p90`,
          }),
        ),
        width: 8,
      }),
    );
    dashboard.addWidgets(
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
    );
    return dashboard;
  }
}
