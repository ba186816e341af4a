import {
  APIGatewayClient,
  CreateUsagePlanCommand,
  DeleteUsagePlanCommand,
  GetUsagePlanCommand,
  GetUsagePlansCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../core/jobs/ports.ts';
import { deleteKeyPlan, keyPlanName, usagePlanFor } from '../../local/commands/deployed-stack.ts';

/**
 * `cutout keys create --stack` with --rate/--burst/--daily-quota: API Gateway limits per usage
 * plan, so such a key gets a plan of its own on the stack's stages; revoking it deletes the plan.
 */

const apiMock = mockClient(APIGatewayClient);
afterEach(() => apiMock.reset());
const client = () => new APIGatewayClient({ region: 'eu-west-1' });

const record: ApiKeyRecord = {
  keyHash: 'b'.repeat(64),
  keyId: 'key_bbbbbbbbbbbbbbbb',
  name: 'partner',
  createdAt: '2026-12-03T00:00:00.000Z',
};

describe('usagePlanFor', () => {
  it("keeps a key without its own limits on the stack's plan", async () => {
    expect(await usagePlanFor(client(), 'stackplan', record)).toBe('stackplan');
    expect(apiMock.calls()).toHaveLength(0);
  });

  it("makes a plan on the stack's stages with the key's limits, the rest from the stack's plan", async () => {
    const apiStages = [{ apiId: 'api123', stage: 'v1' }];
    apiMock.on(GetUsagePlanCommand, { usagePlanId: 'stackplan' }).resolves({
      id: 'stackplan',
      apiStages,
      throttle: { rateLimit: 10, burstLimit: 20 },
      quota: { limit: 10_000, period: 'DAY' },
    });
    apiMock.on(CreateUsagePlanCommand).resolves({ id: 'keyplan' });
    const planId = await usagePlanFor(client(), 'stackplan', {
      ...record,
      limits: { rateLimit: 2, dailyQuota: 500 },
    });
    expect(planId).toBe('keyplan');
    expect(apiMock.commandCalls(CreateUsagePlanCommand)[0]?.args[0].input).toMatchObject({
      name: keyPlanName(record.keyId),
      apiStages,
      throttle: { rateLimit: 2, burstLimit: 20 },
      quota: { limit: 500, period: 'DAY' },
    });
  });
});

describe('deleteKeyPlan', () => {
  it("detaches the key's plan from its stages, then deletes it, and leaves other plans", async () => {
    apiMock
      .on(GetUsagePlansCommand)
      .resolvesOnce({
        items: [{ id: 'stackplan', name: 'cutout-dev', apiStages: [{ apiId: 'a', stage: 'v1' }] }],
        position: 'p2',
      })
      .resolvesOnce({
        items: [
          {
            id: 'keyplan',
            name: keyPlanName(record.keyId),
            apiStages: [{ apiId: 'a', stage: 'v1' }],
          },
        ],
      });
    apiMock.on(UpdateUsagePlanCommand).resolves({});
    apiMock.on(DeleteUsagePlanCommand).resolves({});
    await deleteKeyPlan(client(), record.keyId);
    expect(apiMock.commandCalls(UpdateUsagePlanCommand).map((c) => c.args[0].input)).toEqual([
      {
        usagePlanId: 'keyplan',
        patchOperations: [{ op: 'remove', path: '/apiStages', value: 'a:v1' }],
      },
    ]);
    expect(apiMock.commandCalls(DeleteUsagePlanCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'keyplan' },
    ]);
  });
});
