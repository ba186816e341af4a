import type { APIGatewayProxyEvent } from 'aws-lambda';
import { verifyApiKey } from '../../core/jobs/api-keys.ts';
import type { KeyStore } from '../../core/jobs/ports.ts';
import { header } from './request-body.ts';

/**
 * The caller's key id. Behind API Gateway the authorizer has already checked the key and put
 * its id in the request context; invoked without one (tests, or a direct call), the
 * function checks the Authorization header itself, so no path skips the check.
 */
export function createApiKeyVerifier(keys: KeyStore) {
  return async (event: APIGatewayProxyEvent): Promise<string> => {
    const fromAuthorizer = event.requestContext?.authorizer?.apiKeyId;
    if (typeof fromAuthorizer === 'string' && fromAuthorizer !== '') return fromAuthorizer;
    const record = await verifyApiKey(header(event, 'authorization'), { keys });
    return record.keyId;
  };
}
