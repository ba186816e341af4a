import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  RequestAuthorizer,
  type RequestValidator,
  ResponseType,
  RestApi,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, S3_PREFIX } from '../../core/config/resources.ts';
import { NodeFunction } from './node-function.ts';
import { grantObjects } from './object-grants.ts';

/**
 * The stage is named `v1` and resources hang off its root, so the public paths are exactly the
 * API's `/v1/convert`, `/v1/results` and `/v1/files/{uuid}/{name}` on the execute-api host; the
 * `url`s the results handler returns (`/v1/files/...`) resolve against that host as the
 * reference clients expect. REST APIs route `/v1/convert/` to the same resource.
 */
export const API_STAGE = 'v1';

/**
 * Every body is passed to the handlers as base64 (`isBase64Encoded: true`) and every base64
 * response leaves as bytes: API Gateway decides from the request's `Accept`, which is `*\/*` for
 * curl and PHP's curl, so listing only `image/*` would turn file downloads into base64 text.
 */
export const API_BINARY_MEDIA_TYPES = ['*/*'] as const;

export interface JobApiProps {
  readonly stage: string;
  readonly jobsTable: ITable;
  readonly keysTable: ITable;
  readonly inputBucket: IBucket;
  readonly outputBucket: IBucket;
  readonly imageQueue: IQueue;
  readonly videoQueue: IQueue;
  readonly jobTtlDays: number;
  readonly inlineLimitBytes: number;
  readonly logRetention: RetentionDays;
  /** Per-key steady rate, burst and daily quota (the usage plan). */
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly dailyQuota: number;
  readonly bundleMetafile: boolean;
}

/**
 * The public REST API: `POST /v1/convert` behind the API-key authorizer, `POST /v1/results` and
 * `GET /v1/files/{uuid}/{name}` open (the random job uuid is the capability). The authorizer
 * returns the caller's key as its usage identifier (API key source AUTHORIZER), so the usage
 * plan throttles and meters each key; a key must therefore also be registered with the plan,
 * which `cutout keys create --stack` does.
 */
export class JobApi extends Construct {
  readonly api: RestApi;
  readonly usagePlan: UsagePlan;
  readonly accessLogs: LogGroup;
  readonly functions: Readonly<
    Record<'convert' | 'results' | 'files' | 'authorizer', NodeFunction>
  >;

  constructor(scope: Construct, id: string, props: JobApiProps) {
    super(scope, id);
    const common = { logRetention: props.logRetention, metafile: props.bundleMetafile };

    const convert = new NodeFunction(this, 'Convert', {
      ...common,
      name: 'convert',
      description: 'POST /v1/convert: validates the request, stores inline files, queues the job',
      // Up to 10 MB of multipart to parse and store: more memory buys CPU and network.
      memorySize: 1024,
      timeout: Duration.seconds(29),
      environment: {
        [ENV.jobsTable]: props.jobsTable.tableName,
        [ENV.keysTable]: props.keysTable.tableName,
        [ENV.inputBucket]: props.inputBucket.bucketName,
        [ENV.outputBucket]: props.outputBucket.bucketName,
        [ENV.imageQueueUrl]: props.imageQueue.queueUrl,
        [ENV.videoQueueUrl]: props.videoQueue.queueUrl,
        [ENV.jobTtlDays]: String(props.jobTtlDays),
        [ENV.inlineLimitBytes]: String(props.inlineLimitBytes),
      },
    });
    props.jobsTable.grantReadWriteData(convert.function);
    // The job records which key created it (the authorizer's context names the key's hash).
    props.keysTable.grantReadData(convert.function);
    // PutObject covers both the inline files and the presigned POST/PUT targets it signs.
    grantObjects(convert.function, props.inputBucket, ['s3:PutObject'], `${S3_PREFIX.jobs}*`);
    props.imageQueue.grantSendMessages(convert.function);
    props.videoQueue.grantSendMessages(convert.function);

    const readOnly = {
      [ENV.jobsTable]: props.jobsTable.tableName,
      [ENV.outputBucket]: props.outputBucket.bucketName,
      [ENV.jobTtlDays]: String(props.jobTtlDays),
    };
    const results = new NodeFunction(this, 'Results', {
      ...common,
      name: 'results',
      description: 'POST /v1/results: job status, file list and presigned download URLs',
      environment: readOnly,
    });
    const files = new NodeFunction(this, 'Files', {
      ...common,
      name: 'files',
      description: 'GET /v1/files/{uuid}/{name}: the output bytes, or a redirect when large',
      memorySize: 1024,
      timeout: Duration.seconds(29),
      // RESPONSE_LIMIT_BYTES keeps the handler's default (Lambda's 6 MB response, base64).
      environment: readOnly,
    });
    for (const fn of [results, files]) {
      props.jobsTable.grantReadData(fn.function);
      grantObjects(fn.function, props.outputBucket, ['s3:GetObject']);
    }

    const authorizerFunction = new NodeFunction(this, 'Authorizer', {
      ...common,
      name: 'authorizer',
      description:
        'API-key authorizer: sha256 of the Authorization header looked up in the keys table',
      environment: { [ENV.keysTable]: props.keysTable.tableName },
    });
    props.keysTable.grantReadData(authorizerFunction.function);
    this.functions = { convert, results, files, authorizer: authorizerFunction };

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `cutout-${props.stage}`,
      description: 'cutout background removal: /v1/convert, /v1/results, /v1/files',
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      binaryMediaTypes: [...API_BINARY_MEDIA_TYPES],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: API_STAGE,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        // The whole API's ceiling; each key is held to the usage plan's lower limits.
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
      },
    });

    const authorizer = new RequestAuthorizer(this, 'KeyAuthorizer', {
      handler: authorizerFunction.function,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.minutes(5),
    });
    const validator: RequestValidator = this.api.addRequestValidator('HeaderValidator', {
      validateRequestParameters: true,
      // No body models are attached, so bodies pass; the handlers validate them with zod.
      validateRequestBody: true,
    });

    const convertResource = this.api.root.addResource('convert');
    convertResource.addMethod('POST', new LambdaIntegration(convert.function), {
      authorizer,
      authorizationType: AuthorizationType.CUSTOM,
      apiKeyRequired: true,
      requestValidator: validator,
      requestParameters: { 'method.request.header.Authorization': true },
    });
    this.api.root
      .addResource('results')
      .addMethod('POST', new LambdaIntegration(results.function), {
        authorizationType: AuthorizationType.NONE,
        requestValidator: validator,
      });
    this.api.root
      .addResource('files')
      .addResource('{uuid}')
      .addResource('{name}')
      .addMethod('GET', new LambdaIntegration(files.function), {
        authorizationType: AuthorizationType.NONE,
        requestValidator: validator,
        requestParameters: {
          'method.request.path.uuid': true,
          'method.request.path.name': true,
        },
      });

    this.usagePlan = this.api.addUsagePlan('PerKeyPlan', {
      name: `cutout-${props.stage}-per-key`,
      description: 'Applies to every API key: per-key throttling and a daily quota',
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      quota: { limit: props.dailyQuota, period: Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });

    this.addErrorResponses();
  }

  /** API Gateway's own rejections answer in the API's `{"error": ...}` shape too. */
  private addErrorResponses(): void {
    const json = (message: string) => ({
      'application/json': `{"error": ${JSON.stringify(message)}}`,
    });
    const unknownKey = json('Authorization: missing or unknown API key');
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
        json('request body over the 10 MB API limit: request presigned uploads instead'),
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
    for (const [id, type, statusCode, templates] of responses) {
      this.api.addGatewayResponse(id, { type, templates, ...(statusCode ? { statusCode } : {}) });
    }
  }
}
