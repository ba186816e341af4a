/**
 * How long API Gateway reuses the authorizer's Allow for the same `Authorization` header
 * (infra/constructs/job-api.ts) and the streaming door's default key cache: a revoked or expired
 * key keeps working for at most this long. One number, so the two doors and the docs agree.
 */
export const AUTHORIZER_CACHE_SECONDS = 300;
