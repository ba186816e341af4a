import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { CutoutError } from '../../core/errors.ts';
import type { ApiKeyRecord, KeyStore } from '../../core/jobs/ports.ts';
import type { KeyStoreTarget } from '../key-store-target.ts';

/**
 * A cutout stack deployed with `cdk deploy`, found by its CloudFormation stack name (the service
 * stack, `cutout-<stage>`). Its outputs name the keys table and the per-key usage plan; the
 * output keys are the ones infra/stacks/service-stack.ts declares (SERVICE_OUTPUTS).
 */

const OUTPUT_KEYS = {
  apiEndpoint: 'ApiEndpoint',
  keysTable: 'KeysTableName',
  usagePlanId: 'UsagePlanId',
} as const;

const outputsSchema = z.object({
  [OUTPUT_KEYS.apiEndpoint]: z.string().min(1),
  [OUTPUT_KEYS.keysTable]: z.string().min(1),
  [OUTPUT_KEYS.usagePlanId]: z.string().min(1),
});

export interface DeployedStack {
  readonly stackName: string;
  readonly region: string;
  readonly apiEndpoint: string;
  readonly keysTable: string;
  readonly usagePlanId: string;
}

export interface DeployedStackOptions {
  readonly stackName: string;
  /** Default: AWS_REGION / AWS_DEFAULT_REGION, then the SDK's own resolution (profile). */
  readonly region?: string;
  readonly cloudFormation?: CloudFormationClient;
}

/**
 * Reads the stack's outputs.
 * @throws CutoutError INVALID_REQUEST naming `stack` when the stack or an output is missing
 */
export async function resolveDeployedStack(options: DeployedStackOptions): Promise<DeployedStack> {
  const cfn =
    options.cloudFormation ??
    new CloudFormationClient(options.region ? { region: options.region } : {});
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const described = await cfn.send(new DescribeStacksCommand({ StackName: options.stackName }));
    outputs = described.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    throw new CutoutError(
      'INVALID_REQUEST',
      `stack: cannot read CloudFormation stack "${options.stackName}" (${error instanceof Error ? error.message : String(error)})`,
      { field: 'stack', cause: error },
    );
  }
  const byKey = Object.fromEntries(
    outputs.filter((o) => o.OutputKey).map((o) => [o.OutputKey, o.OutputValue]),
  );
  const parsed = outputsSchema.safeParse(byKey);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new CutoutError(
      'INVALID_REQUEST',
      `stack: "${options.stackName}" is not a cutout service stack (missing outputs: ${missing})`,
      { field: 'stack' },
    );
  }
  const region = await cfn.config.region();
  return {
    stackName: options.stackName,
    region,
    apiEndpoint: parsed.data[OUTPUT_KEYS.apiEndpoint],
    keysTable: parsed.data[OUTPUT_KEYS.keysTable],
    usagePlanId: parsed.data[OUTPUT_KEYS.usagePlanId],
  };
}

/**
 * Registers a key with the stack's usage plan. The authorizer names each caller's key id as its
 * usage identifier, so API Gateway needs an API key whose value is that id (20 characters, not
 * a secret: the authorizer checks the real key first). Re-registering an id is harmless.
 */
export async function registerUsagePlanKey(
  apiGateway: APIGatewayClient,
  usagePlanId: string,
  record: ApiKeyRecord,
): Promise<void> {
  let apiKeyId: string | undefined;
  try {
    const created = await apiGateway.send(
      new CreateApiKeyCommand({
        name: `${record.name} (${record.keyId})`,
        description: `cutout key ${record.keyId}, created ${record.createdAt}`,
        value: record.keyId,
        enabled: true,
      }),
    );
    apiKeyId = created.id;
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
  }
  if (apiKeyId === undefined) {
    const found = await apiGateway.send(
      new GetApiKeysCommand({ nameQuery: record.keyId, includeValues: true }),
    );
    apiKeyId = found.items?.find((k) => k.value === record.keyId)?.id;
  }
  if (apiKeyId === undefined) {
    throw new CutoutError('INTERNAL', `API Gateway key for ${record.keyId} was not created`);
  }
  try {
    await apiGateway.send(
      new CreateUsagePlanKeyCommand({ usagePlanId, keyId: apiKeyId, keyType: 'API_KEY' }),
    );
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
  }
}

/** A KeyStore whose `put` also registers the key with the usage plan, so it works at once. */
class DeployedKeyStore implements KeyStore {
  readonly #table: DynamoKeyStore;
  readonly #apiGateway: APIGatewayClient;
  readonly #usagePlanId: string;

  constructor(table: DynamoKeyStore, apiGateway: APIGatewayClient, usagePlanId: string) {
    this.#table = table;
    this.#apiGateway = apiGateway;
    this.#usagePlanId = usagePlanId;
  }

  async put(record: ApiKeyRecord): Promise<void> {
    await this.#table.put(record);
    await registerUsagePlanKey(this.#apiGateway, this.#usagePlanId, record);
  }

  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return this.#table.findByHash(keyHash);
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.#table.list();
  }
}

/**
 * The keys table of a deployed stack, for `cutout keys create|list --stack <name>`. Uses the
 * standard AWS credential chain (profile, environment, SSO).
 */
export async function deployedKeyStore(options: DeployedStackOptions): Promise<KeyStoreTarget> {
  const stack = await resolveDeployedStack(options);
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region: stack.region }));
  const apiGateway = new APIGatewayClient({ region: stack.region });
  return {
    store: new DeployedKeyStore(
      new DynamoKeyStore(dynamo, stack.keysTable),
      apiGateway,
      stack.usagePlanId,
    ),
    description: `stack ${stack.stackName} (${stack.region}, table ${stack.keysTable}); call it at ${stack.apiEndpoint}/v1/convert`,
    close: async () => {
      dynamo.destroy();
      apiGateway.destroy();
    },
  };
}
