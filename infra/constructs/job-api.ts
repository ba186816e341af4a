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
  RestApi,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, S3_PREFIX } from '../../core/config/resources.ts';
import { AUTHORIZER_CACHE_SECONDS } from '../../functions/authorizer/cache-ttl.ts';
import { authorizerEnvShape } from '../../functions/authorizer/env.ts';
import { convertEnvShape } from '../../functions/convert/env.ts';
import { filesEnvShape } from '../../functions/files/env.ts';
import { resultsEnvShape } from '../../functions/results/env.ts';
import {
  AVAILABLE_MODELS_ENV,
  BIND_RESULTS_ENV,
  COMMERCIAL_SAFE_ONLY_ENV,
} from '../../functions/shared/env-schema.ts';
import { environmentFor } from '../environment-for.ts';
import { gatewayErrorResponses } from './api-error-responses.ts';
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
  /** /v1/convert refuses non-permissively licensed models. */
  readonly commercialSafeOnly?: boolean;
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
    this.functions = this.addFunctions(props);
    const stage = this.addRestApi(props);
    this.api = stage.api;
    this.accessLogs = stage.accessLogs;
    this.executionLogs = stage.executionLogs;
    this.addRoutes(props);
    this.usagePlan = this.api.addUsagePlan('PerKeyPlan', {
      name: `cutout-${props.stage}-per-key`,
      description: 'Applies to every API key: per-key throttling and a daily quota',
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      quota: { limit: props.dailyQuota, period: Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });

    for (const [responseId, options] of gatewayErrorResponses(props.inlineLimitBytes)) {
      this.api.addGatewayResponse(responseId, options);
    }
  }

  /** The four Lambdas behind the API, each with its environment and least-privilege grants. */
  private addFunctions(props: JobApiProps): JobApi['functions'] {
    const common = { logRetention: props.logRetention, metafile: props.bundleMetafile };

    const convert = new NodeFunction(this, 'Convert', {
      ...common,
      name: 'convert',
      description: 'POST /v1/convert: validates the request, stores inline files, queues the job',
      // Up to 4.5 MB of multipart to parse and store: more memory buys CPU and network.
      memorySize: 1024,
      timeout: Duration.seconds(29),
      environment: environmentFor('convert', convertEnvShape, {
        [ENV.jobsTable]: props.jobsTable.tableName,
        [ENV.inputBucket]: props.inputBucket.bucketName,
        [ENV.imageQueueUrl]: props.imageQueue.queueUrl,
        [ENV.videoQueueUrl]: props.videoQueue.queueUrl,
        [ENV.jobTtlDays]: props.jobTtlDays,
        [ENV.inlineLimitBytes]: props.inlineLimitBytes,
        [ENV.maxImageBytes]: props.maxImageBytes,
        [AVAILABLE_MODELS_ENV]: props.availableModels,
        [COMMERCIAL_SAFE_ONLY_ENV]: props.commercialSafeOnly ?? false,
      }),
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
      [BIND_RESULTS_ENV]: props.bindResultsToKey,
    } as const;
    const results = new NodeFunction(this, 'Results', {
      ...common,
      name: 'results',
      description: 'POST /v1/results: job status, file list and presigned download URLs',
      environment: environmentFor('results', resultsEnvShape, readOnly),
    });
    const files = new NodeFunction(this, 'Files', {
      ...common,
      name: 'files',
      description: 'GET /v1/files/{uuid}/{name}: the output bytes, or a redirect when large',
      memorySize: 1024,
      timeout: Duration.seconds(29),
      // RESPONSE_LIMIT_BYTES keeps the handler's default (Lambda's 6 MB response, base64).
      environment: environmentFor('files', filesEnvShape, readOnly),
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
      environment: environmentFor('authorizer', authorizerEnvShape, {
        [ENV.keysTable]: props.keysTable.tableName,
      }),
    });
    grantKeyTable(authorizerFunction.function, props.keysTable, KEY_TABLE_ACCESS.authorizer);
    return { convert, results, files, authorizer: authorizerFunction };
  }

  /** The REST API and its `v1` stage: access and execution logs, stage and polling throttles. */
  private addRestApi(props: JobApiProps): {
    api: RestApi;
    accessLogs: LogGroup;
    executionLogs: LogGroup;
  } {
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new RestApi(this, 'Api', {
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
        accessLogDestination: new LogGroupLogDestination(accessLogs),
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
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${API_STAGE}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    api.deploymentStage.node.addDependency(executionLogs);

    return { api, accessLogs, executionLogs };
  }

  /** `/convert` behind the key authorizer; `/results` and `/files` open or bound to the key. */
  private addRoutes(props: JobApiProps): void {
    const functions = this.functions;
    const authorizer = new RequestAuthorizer(this, 'KeyAuthorizer', {
      handler: functions.authorizer.function,
      identitySources: [IdentitySource.header('Authorization')],
      // Also the longest a revoked or expired key keeps working (docs/operations.md).
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
    });
    const validator: RequestValidator = this.api.addRequestValidator('HeaderValidator', {
      validateRequestParameters: true,
      // No body models are attached, so bodies pass; the handlers validate them with zod.
      validateRequestBody: true,
    });

    const convertResource = this.api.root.addResource('convert');
    convertResource.addMethod('POST', new LambdaIntegration(functions.convert.function), {
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
      .addMethod('POST', new LambdaIntegration(functions.results.function), {
        ...pollAuth,
        requestValidator: validator,
        ...(props.bindResultsToKey ? { requestParameters: keyHeader } : {}),
      });
    // The API document (openapi-answer.ts) is public whatever binds the polling routes.
    this.api.root
      .addResource('openapi.json')
      .addMethod('GET', new LambdaIntegration(functions.results.function), {
        authorizationType: AuthorizationType.NONE,
        requestValidator: validator,
      });
    this.api.root
      .addResource('files')
      .addResource('{uuid}')
      .addResource('{name}')
      .addMethod('GET', new LambdaIntegration(functions.files.function), {
        ...pollAuth,
        requestValidator: validator,
        requestParameters: {
          ...keyHeader,
          'method.request.path.uuid': true,
          'method.request.path.name': true,
        },
      });
  }
}
