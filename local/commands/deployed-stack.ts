import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanCommand,
  GetApiKeysCommand,
  GetUsagePlanCommand,
  GetUsagePlansCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { DynamoWebhookSecretAdmin } from '../../adapters/aws/dynamo-webhook-secrets.ts';
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

/** The name of the usage plan `cutout keys create --stack` makes for a key with its own limits. */
export function keyPlanName(keyId: string): string {
  return `cutout-${keyId}`;
}

/**
 * The usage plan a key belongs to. API Gateway throttles and counts quotas per plan, and a key
 * may be in one plan per stage, so a key with its own limits gets a plan of its own on the
 * stack's stages, its other limits taken from the stack's plan. Such plans are made here, not by
 * CloudFormation: `cutout keys revoke` deletes them.
 */
export async function usagePlanFor(
  apiGateway: APIGatewayClient,
  stackPlanId: string,
  record: ApiKeyRecord,
): Promise<string> {
  const limits = record.limits;
  if (!limits) return stackPlanId;
  const base = await apiGateway.send(new GetUsagePlanCommand({ usagePlanId: stackPlanId }));
  const rateLimit = limits.rateLimit ?? base.throttle?.rateLimit;
  const burstLimit = limits.burstLimit ?? base.throttle?.burstLimit;
  const dailyQuota = limits.dailyQuota ?? base.quota?.limit;
  const created = await apiGateway.send(
    new CreateUsagePlanCommand({
      name: keyPlanName(record.keyId),
      description: `cutout key ${record.keyId} (${record.name}): its own limits`,
      apiStages: base.apiStages ?? [],
      ...(rateLimit === undefined && burstLimit === undefined
        ? {}
        : {
            throttle: {
              ...(rateLimit === undefined ? {} : { rateLimit }),
              ...(burstLimit === undefined ? {} : { burstLimit }),
            },
          }),
      ...(dailyQuota === undefined ? {} : { quota: { limit: dailyQuota, period: 'DAY' } }),
    }),
  );
  if (!created.id) {
    throw new CutoutError('INTERNAL', `API Gateway usage plan for ${record.keyId} was not created`);
  }
  return created.id;
}

/** Deletes the plan of a key with its own limits, if it has one (its stages first, as required). */
export async function deleteKeyPlan(apiGateway: APIGatewayClient, keyId: string): Promise<void> {
  let position: string | undefined;
  do {
    const page = await apiGateway.send(
      new GetUsagePlansCommand({ ...(position ? { position } : {}) }),
    );
    for (const plan of page.items ?? []) {
      if (plan.name !== keyPlanName(keyId) || !plan.id) continue;
      const patchOperations = (plan.apiStages ?? []).map((s) => ({
        op: 'remove' as const,
        path: '/apiStages',
        value: `${s.apiId}:${s.stage}`,
      }));
      if (patchOperations.length > 0) {
        await apiGateway.send(
          new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations }),
        );
      }
      await apiGateway.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id }));
    }
    position = page.position;
  } while (position);
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
    const planId = await usagePlanFor(this.#apiGateway, this.#usagePlanId, record);
    await registerUsagePlanKey(this.#apiGateway, planId, record);
  }

  /**
   * The authorizer refuses the key from now on, once API Gateway's cached Allow for it lapses.
   * A key with its own plan loses the plan too (CloudFormation does not know it, so nothing else
   * would delete it); until that Allow lapses, API Gateway may answer such a key 403 (not in a
   * usage plan) rather than 401: refused either way. Its API Gateway key itself stays.
   */
  async revoke(keyId: string, revokedAt: string): Promise<ApiKeyRecord | undefined> {
    const record = await this.#table.revoke(keyId, revokedAt);
    if (record?.limits) await deleteKeyPlan(this.#apiGateway, keyId);
    return record;
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
    webhookSecrets: new DynamoWebhookSecretAdmin(dynamo, stack.keysTable),
    description: `stack ${stack.stackName} (${stack.region}, table ${stack.keysTable}); call it at ${stack.apiEndpoint}/v1/convert`,
    close: async () => {
      dynamo.destroy();
      apiGateway.destroy();
    },
  };
}
