import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { isCutoutError } from '../../core/errors.ts';
import { verifyApiKey } from '../../core/jobs/api-keys.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { eventHandler } from '../shared/middleware.ts';
import type { AuthorizerConfig } from './env.ts';
import { Unauthorized } from './unauthorized.ts';

function authorizationHeader(event: APIGatewayRequestAuthorizerEvent): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(
    ([k]) => k.toLowerCase() === 'authorization',
  );
  return entry?.[1];
}

/** The ARN pattern covering every method of the stage, so a cached Allow serves all routes. */
function stageArn(methodArn: string): string {
  const [arn, stage] = methodArn.split('/');
  return `${arn}/${stage}/*`;
}

/**
 * REQUEST authorizer: `Authorization: <key>` or `Bearer <key>`, checked against the hashed
 * keys table. Allows with the key id as principal, context and usage identifier (usage plans
 * throttle per key); anything else fails with `Unauthorized`, which API Gateway answers 401 with
 * UNAUTHORIZED_BODY (the API's gateway responses).
 */
export function createAuthorizerHandler(
  config: AuthorizerConfig,
  given: Partial<HandlerDeps> = {},
) {
  const keys = new DynamoKeyStore(clientsFor(config, given).dynamo, config.KEYS_TABLE_NAME);
  return eventHandler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>(
    observed('authorizer', config, given),
    async (event) => {
      try {
        const record = await verifyApiKey(authorizationHeader(event), { keys });
        return {
          principalId: record.keyId,
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Action: 'execute-api:Invoke',
                Effect: 'Allow',
                Resource: stageArn(event.methodArn),
              },
            ],
          },
          context: { apiKeyId: record.keyId, keyName: record.name },
          usageIdentifierKey: record.keyId,
        };
      } catch (error) {
        if (isCutoutError(error) && error.code === 'UNAUTHORIZED') throw new Unauthorized();
        throw error;
      }
    },
    (error) => error instanceof Unauthorized,
  );
}
