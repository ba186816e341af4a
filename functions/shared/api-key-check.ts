import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CutoutError } from '../../core/errors.ts';
import { verifyApiKey } from '../../core/jobs/api-keys.ts';
import type { KeyStore } from '../../core/jobs/ports.ts';
import { header } from './request-body.ts';

/** The key id the API-key authorizer put in the request context, if it ran. */
export function authorizerKeyId(event: APIGatewayProxyEvent): string | undefined {
  const fromAuthorizer = event.requestContext?.authorizer?.apiKeyId;
  return typeof fromAuthorizer === 'string' && fromAuthorizer !== '' ? fromAuthorizer : undefined;
}

/**
 * The caller's key id. Behind API Gateway the authorizer has already checked the key and put
 * its id in the request context, so on AWS the functions get no keys table and never read it.
 * Invoked without that context, the key is checked against `keys` when there is a store (the
 * local stack and tests); without one the request is refused, so no path skips the check.
 */
export function createApiKeyVerifier(keys: KeyStore | undefined) {
  return async (event: APIGatewayProxyEvent): Promise<string> => {
    const fromAuthorizer = authorizerKeyId(event);
    if (fromAuthorizer) return fromAuthorizer;
    if (!keys) {
      throw new CutoutError(
        'UNAUTHORIZED',
        'Authorization: no verified API key (this route expects the API-key authorizer to run first)',
        { field: 'Authorization' },
      );
    }
    const record = await verifyApiKey(header(event, 'authorization'), { keys });
    return record.keyId;
  };
}
