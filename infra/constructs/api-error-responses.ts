import { type GatewayResponseOptions, ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { describeBytes } from '../../core/config/inline-limit.ts';
import type { ErrorCode } from '../../core/errors.ts';
import { UNAUTHORIZED_BODY } from '../../functions/authorizer/unauthorized.ts';

/** A mapping template that renders `{"error": ..., "code": ...}`; `error` is already JSON. */
function errorTemplate(errorJson: string, code: ErrorCode): Record<string, string> {
  return { 'application/json': `{"error": ${errorJson}, "code": ${JSON.stringify(code)}}` };
}

const json = (message: string, code: ErrorCode) => errorTemplate(JSON.stringify(message), code);

/**
 * API Gateway's own rejections (no key, throttled, too large, no route...) answered in the
 * API's `{"error", "code"}` shape too, by construct id, so a client reads every error one way.
 */
export function gatewayErrorResponses(
  inlineLimitBytes: number,
): [string, GatewayResponseOptions][] {
  const unknownKey = json(UNAUTHORIZED_BODY.error, UNAUTHORIZED_BODY.code);
  // API Gateway's own text, already quoted as a JSON string; it never holds our internals.
  const gatewayMessage = '$context.error.messageString';
  // [id, type, status (undefined: keep the status of the error it stands in for), body]
  const responses: [string, ResponseType, string | undefined, Record<string, string>][] = [
    ['MissingKey', ResponseType.UNAUTHORIZED, '401', unknownKey],
    // The authorizer's Deny would be a 403; the API contract says 401 for an unknown key.
    ['UnknownKey', ResponseType.ACCESS_DENIED, '401', unknownKey],
    [
      'KeyNotInPlan',
      ResponseType.INVALID_API_KEY,
      '403',
      json('Authorization: this key is not registered with the usage plan', 'FORBIDDEN'),
    ],
    [
      'Throttled',
      ResponseType.THROTTLED,
      '429',
      json('too many requests; retry shortly', 'RATE_LIMITED'),
    ],
    [
      'QuotaExceeded',
      ResponseType.QUOTA_EXCEEDED,
      '429',
      json("this API key's daily quota is used up", 'RATE_LIMITED'),
    ],
    [
      'TooLarge',
      ResponseType.REQUEST_TOO_LARGE,
      '413',
      // Reports say API Gateway may answer bodies that overflow Lambda's event with its own
      // short 413 rather than this template; either way it is a 413.
      json(
        `request body too large: inline files are limited to ${describeBytes(inlineLimitBytes)} per request; send an uploads list ([{filename, size, content_type}]) instead to get presigned S3 upload targets`,
        'INPUT_TOO_LARGE',
      ),
    ],
    // API Gateway answers an unknown path with 403 "Missing Authentication Token".
    [
      'NoRoute',
      ResponseType.MISSING_AUTHENTICATION_TOKEN,
      '404',
      json('no such route', 'NOT_FOUND'),
    ],
    [
      'Default4xx',
      ResponseType.DEFAULT_4XX,
      undefined,
      errorTemplate(gatewayMessage, 'INVALID_REQUEST'),
    ],
    ['Default5xx', ResponseType.DEFAULT_5XX, undefined, errorTemplate(gatewayMessage, 'INTERNAL')],
  ];
  return responses.map(([id, type, statusCode, templates]) => [
    id,
    { type, templates, ...(statusCode ? { statusCode } : {}) },
  ]);
}
