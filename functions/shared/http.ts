import type { APIGatewayProxyResult } from 'aws-lambda';
import { type CutoutError, type ErrorCode, toCutoutError } from '../../core/errors.ts';

/**
 * The one error-code -> HTTP table. 4xx answers carry the error's message (it names the field
 * or file); 5xx answers never carry internals, only a generic line and the request id.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  REQUEST_TIMEOUT: 408,
  UNSUPPORTED_MEDIA: 415,
  INPUT_TOO_LARGE: 413,
  INPUT_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  JOB_CONFLICT: 409,
  DECODE_FAILED: 422,
  MODEL_NOT_FOUND: 400,
  MODEL_UNAVAILABLE: 503,
  PROCESSING_FAILED: 500,
  DEADLINE_EXCEEDED: 504,
  UPSTREAM_THROTTLED: 503,
  INSUFFICIENT_STORAGE: 507,
  CONFIGURATION: 500,
  OUTBOUND_REFUSED: 400,
  OUTBOUND_TIMEOUT: 504,
  OUTBOUND_FAILED: 502,
  INTERNAL: 500,
};

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function binaryResponse(
  data: Uint8Array,
  contentType: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'Content-Type': contentType, 'Content-Length': String(data.byteLength), ...headers },
    body: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    isBase64Encoded: true,
  };
}

export function redirectResponse(location: string): APIGatewayProxyResult {
  return {
    statusCode: 302,
    headers: { Location: location, 'Cache-Control': 'no-store' },
    body: '',
  };
}

/** The HTTP answer for any error; `log` receives 5xx details (never sent to the client). */
export function errorResponse(
  thrown: unknown,
  requestId: string,
  log?: (error: CutoutError) => void,
): APIGatewayProxyResult {
  const error = toCutoutError(thrown);
  const statusCode = HTTP_STATUS[error.code];
  // A full disk is the operator's to fix and says nothing internal: its message is told as is.
  if (statusCode < 500 || error.code === 'INSUFFICIENT_STORAGE') {
    const headers: Record<string, string> =
      error.code === 'UNAUTHORIZED' ? { 'WWW-Authenticate': 'Bearer realm="cutout"' } : {};
    return jsonResponse(statusCode, { error: error.message, code: error.code }, headers);
  }
  log?.(error);
  const message =
    statusCode === 503
      ? `The service is busy; retry shortly (request ${requestId})`
      : `Internal error (request ${requestId})`;
  return jsonResponse(
    statusCode,
    { error: message, code: error.code, request_id: requestId },
    {
      ...(statusCode === 503 ? { 'Retry-After': '5' } : {}),
    },
  );
}
