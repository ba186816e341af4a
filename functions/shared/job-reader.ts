import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { JobRepository, KeyStore } from '../../core/jobs/ports.ts';
import { createApiKeyVerifier } from './api-key-check.ts';
import { ownedJobs } from './owned-jobs.ts';

export interface JobReaderOptions {
  /** `cutout:bindResultsToKey`: only the key that created a job may read it. */
  readonly bindToKey: boolean;
  /** Checks a bare Authorization header when no authorizer ran (local stack, tests). */
  readonly keys: KeyStore | undefined;
}

/**
 * The repository `/v1/results` and `/v1/files` read through. Unbound (the default, as the
 * seed's clients expect) the uuid alone is the capability; bound, the caller's key must be the
 * job's (401 without a key, 404 for a job of another key).
 */
export function createJobReader(repo: JobRepository, options: JobReaderOptions) {
  const keyOf = createApiKeyVerifier(options.keys);
  return async (event: APIGatewayProxyEvent): Promise<JobRepository> =>
    options.bindToKey ? ownedJobs(repo, await keyOf(event)) : repo;
}
