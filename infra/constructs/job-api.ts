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
import { describeBytes } from '../../core/config/inline-limit.ts';
import { ENV, S3_PREFIX } from '../../core/config/resources.ts';
import { UNAUTHORIZED_BODY } from '../../functions/authorizer/unauthorized.ts';
import { AVAILABLE_MODELS_ENV, BIND_RESULTS_ENV } from '../../functions/shared/env-schema.ts';
import { NodeFunction } from './node-function.ts';
import { grantObjects } from './object-grants.ts';
import {
  grantJobTable,
  grantKeyTable,
  JOB_TABLE_ACCESS,
  KEY_TABLE_ACCESS,
} from './table-grants.ts';

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

/** The polling routes, as the stage's method settings name them (`<resource path>/<METHOD>`). */
export const POLL_METHODS = ['/results/POST', '/files/{uuid}/{name}/GET'] as const;

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
  /** Largest image a job may take; the workers get the same value. */
  readonly maxImageBytes: number;
  /** The models the worker image has; convert refuses the others with a 400. */
  readonly availableModels: readonly string[];
  /** `/v1/results` and `/v1/files` behind the key authorizer, answering the creating key only. */
  readonly bindResultsToKey: boolean;
  /** Each of `/v1/results` and `/v1/files`: steady rate and burst for all callers together. */
  readonly pollRateLimit: number;
  readonly pollBurstLimit: number;
  readonly logRetention: RetentionDays;
  /** Per-key steady rate, burst and daily quota (the usage plan). */
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly dailyQuota: number;
  readonly bundleMetafile: boolean;
}

/**
 * The public REST API: `POST /v1/convert` behind the API-key authorizer, `POST /v1/results` and
 * `GET /v1/files/{uuid}/{name}` open (the random job uuid is the capability) unless
 * `bindResultsToKey` puts them behind the authorizer too. The authorizer returns the caller's
 * key as its usage identifier (API key source AUTHORIZER), so the usage plan throttles and
 * meters each key; a key must therefore also be registered with the plan, which
 * `cutout keys create --stack` does. The two polling routes have their own method throttle, so
 * uuid-only polling can never take the whole stage's rate from `/v1/convert`.
 */
export class JobApi extends Construct {
  readonly api: RestApi;
  readonly usagePlan: UsagePlan;
  readonly accessLogs: LogGroup;
  /** Where API Gateway writes the stage's execution logs (errors), with the stage's retention. */
  readonly executionLogs: LogGroup;
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
      // Up to 4.5 MB of multipart to parse and store: more memory buys CPU and network.
      memorySize: 1024,
      timeout: Duration.seconds(29),
      environment: {
        [ENV.jobsTable]: props.jobsTable.tableName,
        [ENV.inputBucket]: props.inputBucket.bucketName,
        [ENV.outputBucket]: props.outputBucket.bucketName,
        [ENV.imageQueueUrl]: props.imageQueue.queueUrl,
        [ENV.videoQueueUrl]: props.videoQueue.queueUrl,
        [ENV.jobTtlDays]: String(props.jobTtlDays),
        [ENV.inlineLimitBytes]: String(props.inlineLimitBytes),
        [ENV.maxImageBytes]: String(props.maxImageBytes),
        [AVAILABLE_MODELS_ENV]: props.availableModels.join(','),
      },
    });
    // No keys table: the authorizer has checked the key and its context names it.
    grantJobTable(convert.function, props.jobsTable, JOB_TABLE_ACCESS.convert);
    // PutObject covers both the inline files and the presigned POST/PUT targets it signs.
    grantObjects(convert.function, props.inputBucket, ['s3:PutObject'], `${S3_PREFIX.jobs}*`);
    props.imageQueue.grantSendMessages(convert.function);
    props.videoQueue.grantSendMessages(convert.function);

    const readOnly = {
      [ENV.jobsTable]: props.jobsTable.tableName,
      [ENV.outputBucket]: props.outputBucket.bucketName,
      [ENV.jobTtlDays]: String(props.jobTtlDays),
      [BIND_RESULTS_ENV]: String(props.bindResultsToKey),
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
    grantJobTable(results.function, props.jobsTable, JOB_TABLE_ACCESS.results);
    grantJobTable(files.function, props.jobsTable, JOB_TABLE_ACCESS.files);
    for (const fn of [results, files]) {
      grantObjects(fn.function, props.outputBucket, ['s3:GetObject']);
    }

    const authorizerFunction = new NodeFunction(this, 'Authorizer', {
      ...common,
      name: 'authorizer',
      description:
        'API-key authorizer: sha256 of the Authorization header looked up in the keys table',
      environment: { [ENV.keysTable]: props.keysTable.tableName },
    });
    grantKeyTable(authorizerFunction.function, props.keysTable, KEY_TABLE_ACCESS.authorizer);
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
      // The CloudWatch role is an account-wide setting: the account stack owns it, not a stage
      // that `cdk destroy` removes (infra/stacks/account-stack.ts).
      cloudWatchRole: false,
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
        // The polling routes' own ceilings: callers without a key cannot use up the stage's.
        methodOptions: Object.fromEntries(
          POLL_METHODS.map((path) => [
            path,
            {
              throttlingRateLimit: props.pollRateLimit,
              throttlingBurstLimit: props.pollBurstLimit,
              // A method override is a whole settings entry: repeat the stage's logging.
              loggingLevel: MethodLoggingLevel.ERROR,
              dataTraceEnabled: false,
              metricsEnabled: true,
            },
          ]),
        ),
      },
    });
    // API Gateway writes execution logs to this group by name and would otherwise create it
    // itself, with no retention; created first, it keeps the stage's retention.
    this.executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${API_STAGE}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);

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
    // Bound to keys, the polling routes run the same authorizer (and so the per-key plan).
    const pollAuth = props.bindResultsToKey
      ? {
          authorizer,
          authorizationType: AuthorizationType.CUSTOM,
          apiKeyRequired: true,
        }
      : { authorizationType: AuthorizationType.NONE };
    const keyHeader: Record<string, boolean> = props.bindResultsToKey
      ? { 'method.request.header.Authorization': true }
      : {};
    this.api.root
      .addResource('results')
      .addMethod('POST', new LambdaIntegration(results.function), {
        ...pollAuth,
        requestValidator: validator,
        ...(props.bindResultsToKey ? { requestParameters: keyHeader } : {}),
      });
    this.api.root
      .addResource('files')
      .addResource('{uuid}')
      .addResource('{name}')
      .addMethod('GET', new LambdaIntegration(files.function), {
        ...pollAuth,
        requestValidator: validator,
        requestParameters: {
          ...keyHeader,
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

    this.addErrorResponses(props.inlineLimitBytes);
  }

  /** API Gateway's own rejections answer in the API's `{"error": ...}` shape too. */
  private addErrorResponses(inlineLimitBytes: number): void {
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
    for (const [id, type, statusCode, templates] of responses) {
      this.api.addGatewayResponse(id, { type, templates, ...(statusCode ? { statusCode } : {}) });
    }
  }
}
