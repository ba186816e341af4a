import { Duration } from 'aws-cdk-lib';
import { AdjustmentType, MetricAggregationType } from 'aws-cdk-lib/aws-applicationautoscaling';
import { MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { BaseService } from 'aws-cdk-lib/aws-ecs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

export interface QueueBacklogScalingProps {
  readonly queue: IQueue;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Messages one worker is expected to clear promptly; sets how the backlog maps to workers. */
  readonly messagesPerWorker: number;
  /** Minutes of empty backlog (nothing waiting, nothing in flight) before scaling to the minimum. */
  readonly idleMinutesBeforeScaleIn?: number;
}

/** Step scaling allows a limited number of steps; beyond this the steps grow coarser. */
const MAX_STEPS = 10;

/**
 * The queue backlog as workers see it: messages waiting plus messages being worked on, at
 * SQS's 1-minute resolution. An idle queue publishes no data points, which FILL turns into 0 so
 * the scale-in alarm can still fire.
 */
export function queueBacklog(queue: IQueue, idPrefix = ''): MathExpression {
  const period = Duration.minutes(1);
  // Ids must be unique within one graph, which may show several queues.
  const visible = `${idPrefix}visible`;
  const inflight = `${idPrefix}inflight`;
  return new MathExpression({
    expression: `FILL(${visible}, 0) + FILL(${inflight}, 0)`,
    usingMetrics: {
      [visible]: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      [inflight]: queue.metricApproximateNumberOfMessagesNotVisible({
        period,
        statistic: 'Maximum',
      }),
    },
    period,
    label: 'Backlog (visible + in flight)',
  });
}

/** Backlog thresholds for 1..max workers: [lowerBound, workers] pairs, first bound 1. */
export function backlogSteps(
  maxCapacity: number,
  messagesPerWorker: number,
): readonly { readonly lower: number; readonly change: number }[] {
  const steps = Math.min(maxCapacity, MAX_STEPS);
  const capacities = new Set<number>([1]);
  for (let k = 2; k <= steps; k++) capacities.add(Math.ceil((k * maxCapacity) / steps));
  const result = [...capacities].map((workers) => ({
    lower: (workers - 1) * messagesPerWorker + 1,
    change: workers,
  }));
  // Step scaling wants two steps at least: a single worker gets a second, identical one.
  if (result.length === 1) result.push({ lower: messagesPerWorker + 1, change: 1 });
  return result;
}

/**
 * Scales a worker service on its queue's backlog, from zero. Scale-out sets the worker count
 * from the backlog (exact capacity, so a slow cold start cannot ratchet it up to the maximum);
 * scale-in drops to the minimum only after the backlog, in-flight messages included, has been
 * empty for a while. Workers also hold ECS task scale-in protection while they process, so a
 * lowered count never stops a task mid-file. The aws-ecs-patterns queue services are avoided on
 * purpose: their 5-minute visible-only alarm, 100-message first step and CPU policy all fight
 * scale-to-zero (see reference AWS.md, gotcha 12).
 */
export function scaleOnQueueBacklog(service: BaseService, props: QueueBacklogScalingProps): void {
  const taskCount = service.autoScaleTaskCount({
    minCapacity: props.minCapacity,
    maxCapacity: props.maxCapacity,
  });
  const backlog = queueBacklog(props.queue);
  const idleMinutes = props.idleMinutesBeforeScaleIn ?? 15;

  taskCount.scaleOnMetric('ScaleOutOnBacklog', {
    metric: backlog,
    adjustmentType: AdjustmentType.EXACT_CAPACITY,
    metricAggregationType: MetricAggregationType.MAXIMUM,
    scalingSteps: [...backlogSteps(props.maxCapacity, props.messagesPerWorker)],
    evaluationPeriods: 1,
    cooldown: Duration.minutes(1),
  });
  // -100% lands on the minimum capacity; the zero-change step only closes the range.
  taskCount.scaleOnMetric('ScaleInWhenIdle', {
    metric: backlog,
    adjustmentType: AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
    metricAggregationType: MetricAggregationType.MAXIMUM,
    scalingSteps: [
      { upper: 0, change: -100 },
      { lower: 0, change: 0 },
    ],
    evaluationPeriods: idleMinutes,
    datapointsToAlarm: idleMinutes,
    cooldown: Duration.minutes(1),
  });
}
