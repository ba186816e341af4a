import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../core/jobs/api-keys.ts';
import { claimUpdate, releaseUpdate } from '../../../core/jobs/transitions.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import {
  authorizerEvent,
  convertEvent,
  json,
  jsonEvent,
  lambdaContext,
} from '../../support/emulators-events.ts';
import { emfRecords, jsonLinesWrittenBy } from '../../support/stdout-lines.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let aws: EmulatedAws;
let convert: Handler;
let results: Handler;
let onDeadLetter: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let authorizer: (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;
let key: string;
let keyId: string;

beforeAll(async () => {
  aws = await startEmulatedAws({
    queues: { image: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 } },
  });
  ({ handler: convert } = await import('../../../functions/convert/handler.ts'));
  ({ handler: results } = await import('../../../functions/results/handler.ts'));
  ({ handler: onDeadLetter } = await import('../../../functions/on-dead-letter/handler.ts'));
  ({ handler: authorizer } = await import('../../../functions/authorizer/handler.ts'));
  const created = await createApiKey({ name: 'dlq' }, { keys: aws.keys });
  key = created.key;
  keyId = created.record.keyId;
});
afterAll(async () => aws?.stop());

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body,
      attributes: {} as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:cutout-image-dlq',
      awsRegion: 'us-east-1',
    })),
  };
}

describe('dead-letter path', () => {
  it('a message that exhausts its receives lands in the DLQ and its file fails with a readable reason', async () => {
    const created = await convert(
      await convertEvent(
        [
          ['convert_to', 'image-backgroundremover'],
          ['files', new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'stubborn.png', 'image/png'],
        ],
        { path: '/v1/convert', headers: { Authorization: key } },
      ),
      lambdaContext(),
    );
    const uuid = String(json(created).uuid);
    const queueUrl = aws.emulators.resources.imageQueueUrl;

    // Two deliveries that a worker takes and never acknowledges (it keeps hitting a retryable error).
    for (let attempt = 1; attempt <= 2; attempt++) {
      const got = await aws.receive(queueUrl, { keep: true, waitSeconds: 2 });
      expect(got.map((m) => m.receiveCount)).toEqual([attempt]);
      const claim = claimUpdate({ jobId: uuid, fileId: '0000' }, Date.now(), 500, `w${attempt}`);
      await aws.repo.updateFile(claim);
      await aws.repo.updateFile(
        // As the worker records it: what follows the file's name.
        releaseUpdate(claim, `w${attempt}`, 'model u2net could not load', Date.now()),
      );
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    expect(await aws.receive(queueUrl, { waitSeconds: 1 })).toHaveLength(0);
    const dead = await aws.receive(aws.emulators.resources.imageDeadLetterQueueUrl, {
      waitSeconds: 1,
    });
    expect(dead).toHaveLength(1);

    // The deployed module writes its log and EMF lines to stdout, as on Lambda.
    let outcome: SQSBatchResponse = { batchItemFailures: [{ itemIdentifier: 'not run' }] };
    const records = await jsonLinesWrittenBy(async () => {
      outcome = await onDeadLetter(
        sqsEvent([...dead.map((m) => m.body), 'garbage']),
        lambdaContext(),
      );
    });
    expect(outcome.batchItemFailures).toEqual([]);
    // The file it failed is counted where the failure-rate alarm looks: FilesFailed by Kind.
    const emf = emfRecords(records);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Cutout', Dimensions: [['Kind']] }] },
      Kind: 'image',
      FilesFailed: 1,
      failedBy: 'dead-letter',
    });
    expect(records.filter((record) => !('_aws' in record)).map((r) => [r.level, r.msg])).toEqual([
      ['warn', 'dead letter handled'],
      ['error', 'dead letter unreadable'],
    ]);
    const state = json(await results(jsonEvent('/v1/results', { uuid }), lambdaContext()));
    expect(state).toMatchObject({
      finished: true,
      files: [],
      failed: [
        {
          filename: 'stubborn.png',
          error: 'stubborn.png: gave up after 2 attempts: model u2net could not load',
        },
      ],
    });
  }, 30_000);
});

describe('authorizer', () => {
  it('allows a known key (bare or Bearer) with its id as context and usage identifier', async () => {
    for (const header of [key, `Bearer ${key}`]) {
      const result = await authorizer(authorizerEvent({ Authorization: header }), lambdaContext());
      expect(result.principalId).toBe(keyId);
      expect(result.usageIdentifierKey).toBe(keyId);
      expect(result.context).toMatchObject({ apiKeyId: keyId, keyName: 'dlq' });
      expect(result.policyDocument.Statement[0]).toMatchObject({
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:us-east-1:000000000000:api123/v1/*',
      });
    }
  });

  it('fails with Unauthorized (API Gateway answers 401) for a missing or unknown key', async () => {
    await expect(authorizer(authorizerEvent({}), lambdaContext())).rejects.toThrow(
      /^Unauthorized$/,
    );
    await expect(
      authorizer(
        authorizerEvent({ authorization: 'Bearer ck_unknown_key_value_123456' }),
        lambdaContext(),
      ),
    ).rejects.toThrow(/^Unauthorized$/);
  });
});
