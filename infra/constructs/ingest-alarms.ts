import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  type ApplicationLoadBalancer,
  type ApplicationTargetGroup,
  HttpCodeElb,
  HttpCodeTarget,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface IngestAlarmsProps {
  readonly topic: ITopic;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly targetGroup: ApplicationTargetGroup;
}

const FIVE_MINUTES = Duration.minutes(5);
/** Below this many requests in a period an error rate says nothing. */
const MIN_SAMPLE = 5;
/**
 * Target response time runs from the request reaching a task until the answer starts, so it
 * includes the whole upload; a median over 10 s means ordinary requests (polling, downloads,
 * small images) are slow, which long video uploads alone cannot cause.
 */
const SLOW_MEDIAN_SECONDS = 10;

/** The streaming door's alarms, on the same topic as the rest of the service's. */
export class IngestAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: IngestAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const { loadBalancer, targetGroup } = props;
    const add = (
      name: string,
      options: {
        description: string;
        metric: IMetric;
        threshold: number;
        evaluationPeriods?: number;
        comparison?: ComparisonOperator;
        missing?: TreatMissingData;
      },
    ) => {
      const alarm = new Alarm(this, name, {
        alarmDescription: options.description,
        metric: options.metric,
        threshold: options.threshold,
        comparisonOperator:
          options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };

    add('ingest-load-balancer-5xx', {
      description:
        'the streaming door’s load balancer answered 5 or more 5xx itself in 5 minutes (no healthy task, or a task reset the connection)',
      metric: loadBalancer.metrics.httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, {
        period: FIVE_MINUTES,
        statistic: 'Sum',
      }),
      threshold: 5,
    });
    add('ingest-5xx-rate', {
      description:
        'over 5% of the streaming door’s requests got a 5xx from the service in 5 minutes',
      metric: new MathExpression({
        expression: `IF(requests >= ${MIN_SAMPLE}, 100 * errors / requests, 0)`,
        usingMetrics: {
          requests: targetGroup.metrics.requestCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
          errors: targetGroup.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, {
            period: FIVE_MINUTES,
            statistic: 'Sum',
          }),
        },
        period: FIVE_MINUTES,
        label: 'streaming door 5xx rate (%)',
      }),
      threshold: 5,
    });
    add('ingest-unhealthy-tasks', {
      description: 'a streaming door task failed its health check for 3 minutes',
      metric: targetGroup.metrics.unhealthyHostCount({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 3,
    });
    add('ingest-no-healthy-task', {
      description: 'the streaming door had no healthy task for 2 minutes: the API is down',
      metric: targetGroup.metrics.healthyHostCount({
        period: Duration.minutes(1),
        statistic: 'Minimum',
      }),
      threshold: 1,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      // No data means no target reported at all: as down as zero healthy ones.
      missing: TreatMissingData.BREACHING,
    });
    add('ingest-slow-responses', {
      description: `the streaming door's median response time was over ${SLOW_MEDIAN_SECONDS} s for 15 minutes`,
      metric: targetGroup.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p50' }),
      threshold: SLOW_MEDIAN_SECONDS,
      evaluationPeriods: 3,
    });
  }
}
