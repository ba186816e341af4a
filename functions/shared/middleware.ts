import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { toCutoutError } from '../../core/errors.ts';
import { errorResponse } from './http.ts';
import { jsonLogger, type Logger } from './logger.ts';

/**
 * The house middy stacks. HTTP handlers: any thrown error becomes the coded JSON answer of
 * http.ts, with 5xx details logged (not sent). Event handlers (S3, SQS): failures are logged
 * and rethrown so Lambda's retry and the queue's redrive apply.
 */

export type HttpInner = (
  event: APIGatewayProxyEvent,
  context: Context,
  logger: Logger,
) => Promise<APIGatewayProxyResult>;

export function httpHandler(service: string, inner: HttpInner) {
  const logger = jsonLogger(service);
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use({
      onError: (request) => {
        const requestId = request.context.awsRequestId ?? 'unknown';
        request.response = errorResponse(request.error, requestId, (error) =>
          logger.log('error', 'request failed', {
            requestId,
            path: request.event.path,
            code: error.code,
            error: error.cause ?? error,
          }),
        );
      },
    })
    .handler((event, context) => inner(event, context, logger));
}

export type EventInner<E, R> = (event: E, context: Context, logger: Logger) => Promise<R>;

/** @param expected errors that are an answer rather than a failure (not logged as errors) */
export function eventHandler<E, R>(
  service: string,
  inner: EventInner<E, R>,
  expected: (error: unknown) => boolean = () => false,
) {
  const logger = jsonLogger(service);
  return middy<E, R>()
    .use({
      onError: (request) => {
        if (expected(request.error)) return;
        const error = toCutoutError(request.error);
        logger.log('error', 'event failed', {
          requestId: request.context.awsRequestId,
          code: error.code,
          error: error.cause ?? error,
        });
      },
    })
    .handler((event, context) => inner(event, context, logger));
}
