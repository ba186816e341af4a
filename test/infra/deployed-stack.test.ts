import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { isCutoutError } from '../../core/errors.ts';
import type { ApiKeyRecord } from '../../core/jobs/ports.ts';
import { SERVICE_OUTPUTS } from '../../infra/stacks/service-stack.ts';
import { registerUsagePlanKey, resolveDeployedStack } from '../../local/commands/deployed-stack.ts';

const cfnMock = mockClient(CloudFormationClient);
const apiMock = mockClient(APIGatewayClient);
afterEach(() => {
  cfnMock.reset();
  apiMock.reset();
});

const record: ApiKeyRecord = {
  keyHash: 'a'.repeat(64),
  keyId: 'key_aaaaaaaaaaaaaaaa',
  name: 'first-key',
  createdAt: '2026-11-25T00:00:00.000Z',
};

describe('resolveDeployedStack', () => {
  it('reads the keys table and usage plan from the outputs the service stack declares', async () => {
    cfnMock.on(DescribeStacksCommand, { StackName: 'cutout-dev' }).resolves({
      Stacks: [
        {
          StackName: 'cutout-dev',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: SERVICE_OUTPUTS.apiEndpoint, OutputValue: 'https://abc.execute-api' },
            { OutputKey: SERVICE_OUTPUTS.keysTable, OutputValue: 'cutout-dev-storage-keys-1' },
            { OutputKey: SERVICE_OUTPUTS.usagePlanId, OutputValue: 'plan123' },
            { OutputKey: SERVICE_OUTPUTS.jobsTable, OutputValue: 'jobs' },
          ],
        },
      ],
    });
    const stack = await resolveDeployedStack({
      stackName: 'cutout-dev',
      cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    });
    expect(stack).toEqual({
      stackName: 'cutout-dev',
      region: 'eu-west-1',
      apiEndpoint: 'https://abc.execute-api',
      keysTable: 'cutout-dev-storage-keys-1',
      usagePlanId: 'plan123',
    });
  });

  it('names the stack when it is not a cutout service stack', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'cutout-dev-storage',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [],
        },
      ],
    });
    const error = await resolveDeployedStack({
      stackName: 'cutout-dev-storage',
      cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    }).catch((e: unknown) => e);
    expect(isCutoutError(error) && error.code).toBe('INVALID_REQUEST');
    expect(String((error as Error).message)).toMatch(/cutout-dev-storage.*KeysTableName/);
  });

  it('reports a missing stack as a bad --stack value', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(new Error('Stack with id nope does not exist'));
    await expect(
      resolveDeployedStack({
        stackName: 'nope',
        cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
      }),
    ).rejects.toThrow(/stack: cannot read CloudFormation stack "nope".*does not exist/);
  });
});

describe('registerUsagePlanKey', () => {
  it('creates an API key whose value is the key id and adds it to the plan', async () => {
    apiMock.on(CreateApiKeyCommand).resolves({ id: 'gw-key-1' });
    apiMock.on(CreateUsagePlanKeyCommand).resolves({});
    await registerUsagePlanKey(new APIGatewayClient({ region: 'eu-west-1' }), 'plan123', record);
    const created = apiMock.commandCalls(CreateApiKeyCommand)[0]?.args[0].input;
    expect(created).toMatchObject({ value: record.keyId, enabled: true });
    expect(created?.value).toHaveLength(20);
    expect(apiMock.commandCalls(CreateUsagePlanKeyCommand)[0]?.args[0].input).toEqual({
      usagePlanId: 'plan123',
      keyId: 'gw-key-1',
      keyType: 'API_KEY',
    });
  });

  it('reuses an existing API key and tolerates an existing plan membership', async () => {
    apiMock
      .on(CreateApiKeyCommand)
      .rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    apiMock.on(GetApiKeysCommand).resolves({
      items: [
        { id: 'other', value: 'key_bbbbbbbbbbbbbbbb' },
        { id: 'gw-key-9', value: record.keyId },
      ],
    });
    apiMock
      .on(CreateUsagePlanKeyCommand)
      .rejects(new ConflictException({ message: 'already in plan', $metadata: {} }));
    await expect(
      registerUsagePlanKey(new APIGatewayClient({ region: 'eu-west-1' }), 'plan123', record),
    ).resolves.toBeUndefined();
    expect(apiMock.commandCalls(CreateUsagePlanKeyCommand)[0]?.args[0].input.keyId).toBe(
      'gw-key-9',
    );
  });
});
