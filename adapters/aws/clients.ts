import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One SDK client per service per process, built from explicit config. Emulator endpoints
 * come in through `endpoints` (set only by the local stack and tests).
 */

export interface AwsClientConfig {
  readonly region: string;
  readonly endpoints?: {
    readonly s3?: string;
    readonly sqs?: string;
    readonly dynamodb?: string;
  };
  /** Fixed credentials (the emulators' dummy pair); absent, the SDK's default chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface AwsClients {
  readonly s3: S3Client;
  /** For presigned URLs only: checksums off so URLs carry no empty-body x-amz-checksum-*. */
  readonly s3Presign: S3Client;
  readonly sqs: SQSClient;
  readonly dynamo: DynamoDBDocumentClient;
}

function s3Options(config: AwsClientConfig) {
  const endpoint = config.endpoints?.s3;
  return {
    region: config.region,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // Path style against an emulator: `localhost` would otherwise become `<bucket>.localhost`.
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
}

export function createAwsClients(config: AwsClientConfig): AwsClients {
  const sqsEndpoint = config.endpoints?.sqs;
  const dynamoEndpoint = config.endpoints?.dynamodb;
  return {
    s3: new S3Client(s3Options(config)),
    s3Presign: new S3Client({
      ...s3Options(config),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    // SQS would otherwise send to the queue URL's host, which emulators make unresolvable.
    sqs: new SQSClient({
      region: config.region,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      ...(sqsEndpoint ? { endpoint: sqsEndpoint, useQueueUrlAsEndpoint: false } : {}),
    }),
    dynamo: DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: config.region,
        ...(config.credentials ? { credentials: config.credentials } : {}),
        ...(dynamoEndpoint ? { endpoint: dynamoEndpoint } : {}),
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    ),
  };
}

const cache = new Map<string, AwsClients>();

/** The process's clients for this config (handlers share them across modules and invocations). */
export function awsClients(config: AwsClientConfig): AwsClients {
  const id = JSON.stringify(config);
  let clients = cache.get(id);
  if (!clients) {
    clients = createAwsClients(config);
    cache.set(id, clients);
  }
  return clients;
}
