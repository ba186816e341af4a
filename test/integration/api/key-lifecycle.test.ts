import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../adapters/aws/clients.ts';
import { silentLog } from '../../../adapters/observability/log.ts';
import { INGEST_ENV, parseIngestEnv } from '../../../containers/ingest/env.ts';
import type { IngestServer } from '../../../containers/ingest/ingest-server.ts';
import { startIngestService } from '../../../containers/ingest/ingest-service.ts';
import { createApiKey, hashApiKey, keyIdFor, revokeApiKey } from '../../../core/jobs/api-keys.ts';
import { UNAUTHORIZED_BODY } from '../../../functions/authorizer/unauthorized.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { authorizerEvent, lambdaContext } from '../../support/emulators-events.ts';

/**
 * Expired and revoked keys against the emulators: the keys table's new attributes (and items
 * written before them), the Lambda authorizer, and the streaming door's key cache and per-key
 * limits over HTTP.
 */

let aws: EmulatedAws;
let authorizer: (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;
let server: IngestServer;

beforeAll(async () => {
  aws = await startEmulatedAws();
  ({ handler: authorizer } = await import('../../../functions/authorizer/handler.ts'));
  const config = parseIngestEnv({
    ...process.env,
    [INGEST_ENV.port]: '0',
    [INGEST_ENV.host]: '127.0.0.1',
    [INGEST_ENV.keyCacheSeconds]: '1',
    [INGEST_ENV.rateLimit]: '100',
    [INGEST_ENV.burstLimit]: '100',
  });
  server = await startIngestService(config, {
    clients: createAwsClients({ region: aws.emulators.region, endpoints: aws.emulators.endpoints }),
    log: silentLog,
    metrics: () => {},
  });
});

afterAll(async () => {
  await server?.close();
  await aws?.stop();
});

const authorize = (key: string) =>
  authorizer(authorizerEvent({ authorization: `Bearer ${key}` }), lambdaContext());

describe('the keys table', () => {
  it('reads an item written before expiry, revocation and limits existed, and it still works', async () => {
    const key = 'ck_an_old_key_from_before_issue_14_000000';
    const keyHash = hashApiKey(key);
    await aws.clients.dynamo.send(
      new PutCommand({
        TableName: aws.emulators.resources.keysTable,
        Item: { keyHash, keyId: keyIdFor(keyHash), name: 'legacy', createdAt: '2026-01-01' },
      }),
    );
    expect(await aws.keys.findByHash(keyHash)).toEqual({
      keyHash,
      keyId: keyIdFor(keyHash),
      name: 'legacy',
      createdAt: '2026-01-01',
    });
    expect((await authorize(key)).principalId).toBe(keyIdFor(keyHash));
  });

  it('stores expiry and limits, and revokes by id once (the first time stands)', async () => {
    const { record } = await createApiKey(
      { name: 'limited', expiresAt: '2099-01-01T00:00:00Z', limits: { dailyQuota: 10 } },
      { keys: aws.keys },
    );
    expect(await aws.keys.findByHash(record.keyHash)).toEqual(record);
    const first = await aws.keys.revoke(record.keyId, '2026-12-03T10:00:00.000Z');
    const second = await aws.keys.revoke(record.keyId, '2026-12-03T11:00:00.000Z');
    expect(first).toEqual({ ...record, revokedAt: '2026-12-03T10:00:00.000Z' });
    expect(second?.revokedAt).toBe('2026-12-03T10:00:00.000Z');
    expect(await aws.keys.revoke('key_ffffffffffffffff', '2026-12-03T10:00:00.000Z')).toBe(
      undefined,
    );
    expect((await aws.keys.list()).find((r) => r.keyId === record.keyId)?.revokedAt).toBe(
      '2026-12-03T10:00:00.000Z',
    );
  });
});

describe('the Lambda authorizer', () => {
  it('refuses a revoked key and an expired one with Unauthorized, as it does an unknown key', async () => {
    const live = await createApiKey({ name: 'live' }, { keys: aws.keys });
    const revoked = await createApiKey({ name: 'to-revoke' }, { keys: aws.keys });
    expect((await authorize(revoked.key)).principalId).toBe(revoked.record.keyId);
    await revokeApiKey(revoked.record.keyId, { keys: aws.keys });
    await expect(authorize(revoked.key)).rejects.toThrow(/^Unauthorized$/);

    // A key past its expiry (written as it would be found a day later).
    const expiredKey = 'ck_a_key_that_expired_yesterday_0000000';
    const keyHash = hashApiKey(expiredKey);
    await aws.keys.put({
      keyHash,
      keyId: keyIdFor(keyHash),
      name: 'expired',
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    await expect(authorize(expiredKey)).rejects.toThrow(/^Unauthorized$/);
    expect((await authorize(live.key)).principalId).toBe(live.record.keyId);
    // API Gateway's 401 body for all of them says which kinds are refused, not which one.
    expect(UNAUTHORIZED_BODY.error).toBe(
      'Authorization: missing, unknown, revoked or expired API key',
    );
  });
});

/** A convert the door refuses after the key check (no files): 400 means the key passed. */
function convertWithoutFiles(key: string): Promise<Response> {
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  return fetch(`${server.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: key },
    body: form,
  });
}

describe('the streaming door', () => {
  it('stops accepting a revoked key once its cache time (here 1 s) has passed', async () => {
    const { key, record } = await createApiKey({ name: 'door' }, { keys: aws.keys });
    const before = await convertWithoutFiles(key);
    expect(before.status).toBe(400);
    await revokeApiKey(record.keyId, { keys: aws.keys });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const after = await convertWithoutFiles(key);
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({
      error: 'Authorization: unknown, revoked or expired API key',
      code: 'UNAUTHORIZED',
    });
  });

  it("holds a key to its own daily quota, and other keys to the door's limits", async () => {
    const own = await createApiKey(
      { name: 'quota', limits: { dailyQuota: 2 } },
      { keys: aws.keys },
    );
    const plain = await createApiKey({ name: 'plain' }, { keys: aws.keys });
    expect((await convertWithoutFiles(own.key)).status).toBe(400);
    expect((await convertWithoutFiles(own.key)).status).toBe(400);
    const over = await convertWithoutFiles(own.key);
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({
      code: 'RATE_LIMITED',
      error: expect.stringMatching(/daily quota of 2 requests is used up/),
    });
    for (let i = 0; i < 3; i++) expect((await convertWithoutFiles(plain.key)).status).toBe(400);
  });
});
