import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  type IMetric,
  MathExpression,
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
  METRIC_NAMES,
  METRICS_NAMESPACE,
  type MetricKind,
} from '../../core/config/metrics.ts';
import { addServiceDashboard } from './service-dashboard.ts';
import { FIVE_MINUTES, protectionFailures, workerErrors, workerMetric } from './worker-metrics.ts';

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
            ok: workerMetric(METRIC_NAMES.filesSucceeded, q.kind, 'Sum'),
            failed: workerMetric(METRIC_NAMES.filesFailed, q.kind, 'Sum'),
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
      metric: protectionFailures(),
      threshold: 1,
    });
    this.alarm('worker-errors', {
      description: 'workers logged 10 or more errors in 5 minutes',
      metric: workerErrors(),
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

    this.dashboard = addServiceDashboard(this, props);
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
}
