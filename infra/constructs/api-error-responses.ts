import { type GatewayResponseOptions, ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { describeBytes } from '../../core/config/inline-limit.ts';
import { UNAUTHORIZED_BODY } from '../../functions/authorizer/unauthorized.ts';

/**
 * API Gateway's own rejections (no key, throttled, too large, no route...) answered in the
 * API's `{"error": ...}` shape too, by construct id.
 */
export function gatewayErrorResponses(
  inlineLimitBytes: number,
): [string, GatewayResponseOptions][] {
  const json = (message: string, code?: string) => ({
    'application/json': `{"error": ${JSON.stringify(message)}${code ? `, "code": ${JSON.stringify(code)}` : ''}}`,
  });
  const unknownKey = json(UNAUTHORIZED_BODY.error, UNAUTHORIZED_BODY.code);
  // [id, type, status (undefined: keep the status of the error it stands in for), body]
  const responses: [string, ResponseType, string | undefined, Record<string, string>][] = [
    ['MissingKey', ResponseType.UNAUTHORIZED, '401', unknownKey],
    // The authorizer's Deny would be a 403; the API contract says 401 for an unknown key.
    ['UnknownKey', ResponseType.ACCESS_DENIED, '401', unknownKey],
    [
      'KeyNotInPlan',
      ResponseType.INVALID_API_KEY,
      '403',
      json('Authorization: this key is not registered with the usage plan'),
    ],
    ['Throttled', ResponseType.THROTTLED, '429', json('too many requests for this API key')],
    [
      'QuotaExceeded',
      ResponseType.QUOTA_EXCEEDED,
      '429',
      json("this API key's daily quota is used up"),
    ],
    [
      'TooLarge',
      ResponseType.REQUEST_TOO_LARGE,
      '413',
      // Reports say API Gateway may answer bodies that overflow Lambda's event with its own
      // short 413 rather than this template; either way it is a 413.
      json(
        `request body too large: inline files are limited to ${describeBytes(inlineLimitBytes)} per request; send an uploads list ([{filename, size, content_type}]) instead to get presigned S3 upload targets`,
      ),
    ],
    // API Gateway answers an unknown path with 403 "Missing Authentication Token".
    ['NoRoute', ResponseType.MISSING_AUTHENTICATION_TOKEN, '404', json('no such route')],
    [
      'Default4xx',
      ResponseType.DEFAULT_4XX,
      undefined,
      { 'application/json': '{"error": $context.error.messageString}' },
    ],
    [
      'Default5xx',
      ResponseType.DEFAULT_5XX,
      undefined,
      { 'application/json': '{"error": $context.error.messageString}' },
    ],
  ];
  return responses.map(([id, type, statusCode, templates]) => [
    id,
    { type, templates, ...(statusCode ? { statusCode } : {}) },
  ]);
}
