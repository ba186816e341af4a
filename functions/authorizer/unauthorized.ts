import type { ErrorCode } from '../../core/errors.ts';

/**
 * API Gateway's contract for REQUEST authorizers: failing with exactly this message means
 * "no key, or one that does not work", which API Gateway answers with its UNAUTHORIZED gateway response.
 */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';

/**
 * The body of every 401, in the API's error shape: API Gateway's gateway responses on AWS
 * (infra/constructs/job-api.ts) and the local stack's stand-in (local/api-server.ts) both send it.
 */
export const UNAUTHORIZED_BODY = {
  error: 'Authorization: missing, unknown, revoked or expired API key',
  code: 'UNAUTHORIZED',
} as const satisfies { readonly error: string; readonly code: ErrorCode };

export class Unauthorized extends Error {
  constructor() {
    super(UNAUTHORIZED_MESSAGE);
    this.name = 'Unauthorized';
  }
}
