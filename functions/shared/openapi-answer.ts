import type { APIGatewayProxyResult } from 'aws-lambda';
import { buildOpenApiDocument } from '../../core/api/openapi-document.ts';
import { DEFAULT_INLINE_LIMIT_BYTES } from '../../core/config/inline-limit.ts';
import { HTTP_STATUS, jsonResponse } from './http.ts';

/** The API document with this deployment's error table; built once per process. */
let document: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  document ??= buildOpenApiDocument({
    httpStatus: HTTP_STATUS,
    inlineLimitBytes: DEFAULT_INLINE_LIMIT_BYTES,
  });
  return document;
}

/** `GET /v1/openapi.json`: open to all, cacheable for a few minutes. */
export function openApiAnswer(): APIGatewayProxyResult {
  return jsonResponse(200, openApiDocument(), { 'Cache-Control': 'public, max-age=300' });
}
