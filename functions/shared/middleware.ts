import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createLog, type Log, type LogLevel } from '../../adapters/observability/log.ts';
import { type MetricsWriter, stdoutMetrics } from '../../adapters/observability/metrics.ts';
import { toCutoutError } from '../../core/errors.ts';
import { errorResponse } from './http.ts';

/**
 * The house middy stacks. HTTP handlers: any thrown error becomes the coded JSON answer of
 * http.ts, with 5xx details logged (not sent). Event handlers (S3, SQS): failures are logged
 * and rethrown so Lambda's retry and the queue's redrive apply. Both hand the inner function a
 * log whose lines carry the invocation's `requestId`, and the EMF metrics writer.
 */

export interface Observability {
  /** The function's LOG_LEVEL. Default info. */
  readonly level?: LogLevel;
  /** Replaces the stdout JSON log (tests, the local stack). */
  readonly log?: Log;
  /** Replaces the stdout EMF writer (tests, the local stack). */
  readonly metrics?: MetricsWriter;
}

export interface HandlerOptions extends Observability {
  /** The `service` of every log line. */
  readonly service: string;
}

function observe(named: string | HandlerOptions) {
  const options: HandlerOptions = typeof named === 'string' ? { service: named } : named;
  const { service, level } = options;
  return {
    log: options.log ?? createLog({ service, ...(level ? { level } : {}) }),
    metrics: options.metrics ?? stdoutMetrics(),
  };
}

export type HttpInner = (
  event: APIGatewayProxyEvent,
  context: Context,
  log: Log,
  metrics: MetricsWriter,
) => Promise<APIGatewayProxyResult>;

export function httpHandler(options: string | HandlerOptions, inner: HttpInner) {
  const { log, metrics } = observe(options);
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use({
      onError: (request) => {
        const requestId = request.context.awsRequestId ?? 'unknown';
        request.response = errorResponse(request.error, requestId, (error) =>
          log.error('request failed', {
            requestId,
            path: request.event.path,
            code: error.code,
            error: error.cause ?? error,
          }),
        );
      },
    })
    .handler((event, context) =>
      inner(event, context, log.with({ requestId: context.awsRequestId }), metrics),
    );
}

export type EventInner<E, R> = (
  event: E,
  context: Context,
  log: Log,
  metrics: MetricsWriter,
) => Promise<R>;

/** @param expected errors that are an answer rather than a failure (not logged as errors) */
export function eventHandler<E, R>(
  options: string | HandlerOptions,
  inner: EventInner<E, R>,
  expected: (error: unknown) => boolean = () => false,
) {
  const { log, metrics } = observe(options);
  return middy<E, R>()
    .use({
      onError: (request) => {
        if (expected(request.error)) return;
        const error = toCutoutError(request.error);
        log.error('event failed', {
          requestId: request.context.awsRequestId,
          code: error.code,
          error: error.cause ?? error,
        });
      },
    })
    .handler((event, context) =>
      inner(event, context, log.with({ requestId: context.awsRequestId }), metrics),
    );
}
