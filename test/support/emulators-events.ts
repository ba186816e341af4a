import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';

/** API Gateway-shaped events and a Lambda context for invoking handler modules in tests. */

export function lambdaContext(name = 'test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface EventInput {
  readonly method?: string;
  readonly path: string;
  readonly resource?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly pathParameters?: Record<string, string>;
  readonly authorizer?: Record<string, unknown>;
}

export function proxyEvent(input: EventInput): APIGatewayProxyEvent {
  const body =
    input.body === undefined
      ? null
      : Buffer.isBuffer(input.body)
        ? input.body.toString('base64')
        : input.body;
  const headers = input.headers ?? {};
  return {
    resource: input.resource ?? input.path,
    path: input.path,
    httpMethod: input.method ?? 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: Buffer.isBuffer(input.body),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: input.authorizer ?? null,
      protocol: 'HTTP/1.1',
      httpMethod: input.method ?? 'POST',
      identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: input.path,
      stage: 'v1',
      requestId: 'req',
      requestTimeEpoch: Date.now(),
      resourceId: 'r',
      resourcePath: input.resource ?? input.path,
    },
  };
}

export function authorizerEvent(headers: Record<string, string>): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:us-east-1:000000000000:api123/v1/POST/v1/convert',
    resource: '/v1/convert',
    path: '/v1/convert/',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: {},
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

/** A real multipart/form-data body, as curl or requests would send it. */
export async function multipart(
  parts: readonly (readonly [string, string] | readonly [string, Uint8Array, string, string?])[],
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const part of parts) {
    if (typeof part[1] === 'string') form.append(part[0], part[1]);
    else {
      const [field, data, filename, type] = part as readonly [string, Uint8Array, string, string?];
      form.append(field, new Blob([new Uint8Array(data)], type ? { type } : {}), filename);
    }
  }
  const request = new Request('http://local', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? '',
  };
}

/**
 * POST /v1/convert with a multipart body of `parts`, as API Gateway hands it to the convert
 * handler: the given headers (Authorization, usually) and authorizer context.
 */
export async function convertEvent(
  parts: Parameters<typeof multipart>[0],
  options: Omit<EventInput, 'path' | 'body'> & { readonly path?: string } = {},
): Promise<APIGatewayProxyEvent> {
  const form = await multipart(parts);
  return proxyEvent({
    path: '/v1/convert/',
    ...options,
    headers: { ...options.headers, 'Content-Type': form.contentType },
    body: form.body,
  });
}

/** A POST of `body` as JSON to `path`, with the given headers (Authorization, usually). */
export function jsonEvent(
  path: string,
  body: unknown,
  options: Omit<EventInput, 'path' | 'body'> = {},
): APIGatewayProxyEvent {
  return proxyEvent({
    path,
    ...options,
    headers: { ...options.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function json(result: APIGatewayProxyResult): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>;
}
