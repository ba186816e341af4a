import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AwsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
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

/** What `/v1/results` and `/v1/files` read from: the outputs bucket and the (maybe bound) jobs. */
export function jobReadAccess(
  config: {
    readonly OUTPUT_BUCKET_NAME: string;
    readonly JOBS_TABLE_NAME: string;
    readonly KEYS_TABLE_NAME?: string | undefined;
    readonly CUTOUT_BIND_RESULTS_TO_KEY: boolean;
  },
  aws: AwsClients,
) {
  return {
    outputs: new S3ObjectStore(aws.s3, aws.s3Presign, config.OUTPUT_BUCKET_NAME),
    reader: createJobReader(new DynamoJobRepository(aws.dynamo, config.JOBS_TABLE_NAME), {
      bindToKey: config.CUTOUT_BIND_RESULTS_TO_KEY,
      keys: config.KEYS_TABLE_NAME
        ? new DynamoKeyStore(aws.dynamo, config.KEYS_TABLE_NAME)
        : undefined,
    }),
  };
}
