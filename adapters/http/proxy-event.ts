import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type {
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';

/**
 * Turns a plain HTTP request into the REST API (v1) proxy event API Gateway hands a Lambda, so the
 * local stack's API Gateway stand-in and the streaming front door (containers/ingest) run the
 * very handler modules that are deployed as Lambdas.
 */

export type ProxyHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/**
 * Content types API Gateway is told to pass as binary (base64 in the event). Text bodies (JSON,
 * urlencoded forms) arrive as plain strings, exactly as on AWS.
 */
export const BINARY_MEDIA_TYPES = [
  'multipart/form-data',
  'image/*',
  'video/*',
  'application/octet-stream',
] as const;

export interface LocalRequest {
  readonly method: string;
  /** Path and query string as received, e.g. `/v1/files/abc/x.png?download=1`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly sourceIp: string;
}

export interface RouteMatch {
  /** The API Gateway resource template, e.g. `/v1/files/{uuid}/{name}`. */
  readonly resource: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

export const LOCAL_STAGE = 'local';
const LOCAL_ACCOUNT = '000000000000';
const LOCAL_API_ID = 'cutoutlocal';

export function isBinaryContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return BINARY_MEDIA_TYPES.some((pattern) =>
    pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern,
  );
}

function headerMaps(headers: IncomingHttpHeaders): {
  single: Record<string, string>;
  multi: Record<string, string[]>;
} {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    const last = values[values.length - 1];
    if (last === undefined) continue;
    // API Gateway keeps the client's spelling; Node lower-cases, which handlers must cope with anyway.
    single[name] = last;
    multi[name] = values;
  }
  return { single, multi };
}

function queryMaps(search: URLSearchParams): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  const keys = [...new Set(search.keys())];
  if (keys.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const key of keys) {
    const all = search.getAll(key);
    multi[key] = all;
    single[key] = all[all.length - 1] ?? '';
  }
  return { single, multi };
}

function requestContext<T>(
  request: LocalRequest,
  path: string,
  resource: string,
  authorizer: T,
): APIGatewayEventRequestContextWithAuthorizer<T> {
  const now = Date.now();
  return {
    accountId: LOCAL_ACCOUNT,
    apiId: LOCAL_API_ID,
    authorizer,
    protocol: 'HTTP/1.1',
    httpMethod: request.method,
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: request.sourceIp,
      user: null,
      userAgent:
        typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : '',
      userArn: null,
    },
    path: `/${LOCAL_STAGE}${path}`,
    stage: LOCAL_STAGE,
    requestId: randomUUID(),
    requestTimeEpoch: now,
    requestTime: new Date(now).toISOString(),
    resourceId: resource,
    resourcePath: resource,
  };
}

function splitUrl(url: string): { path: string; search: URLSearchParams } {
  const parsed = new URL(url, 'http://local');
  return { path: parsed.pathname, search: parsed.searchParams };
}

/** The proxy event for a request, with what the authorizer returned as `requestContext.authorizer`. */
export function toProxyEvent(
  request: LocalRequest,
  route: RouteMatch,
  authorizerContext: Record<string, unknown> | null,
): APIGatewayProxyEvent {
  const { path, search } = splitUrl(request.url);
  const headers = headerMaps(request.headers);
  const query = queryMaps(search);
  const binary = isBinaryContentType(request.headers['content-type']);
  const hasBody = request.body.length > 0;
  return {
    resource: route.resource,
    path,
    httpMethod: request.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: route.pathParameters ? { ...route.pathParameters } : null,
    stageVariables: null,
    requestContext: requestContext(request, path, route.resource, authorizerContext),
    body: hasBody ? request.body.toString(binary ? 'base64' : 'utf8') : null,
    isBase64Encoded: hasBody && binary,
  };
}

/** The REQUEST authorizer event API Gateway sends before invoking a protected route. */
export function toAuthorizerEvent(
  request: LocalRequest,
  route: RouteMatch,
): APIGatewayRequestAuthorizerEvent {
  const { path, search } = splitUrl(request.url);
  const headers = headerMaps(request.headers);
  const query = queryMaps(search);
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:us-east-1:${LOCAL_ACCOUNT}:${LOCAL_API_ID}/${LOCAL_STAGE}/${request.method}${route.resource}`,
    resource: route.resource,
    path,
    httpMethod: request.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    pathParameters: route.pathParameters ? { ...route.pathParameters } : null,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    stageVariables: null,
    requestContext: requestContext(request, path, route.resource, undefined),
  };
}

export interface PlainResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** What API Gateway sends back for a proxy integration's result. */
export function fromProxyResult(result: APIGatewayProxyResult): PlainResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name.toLowerCase()] = values.map(String);
  }
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  return { statusCode: result.statusCode, headers, body };
}

/** A Lambda context good enough for middy: a request id and the API Gateway integration timeout. */
export function lambdaContext(functionName: string, timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
