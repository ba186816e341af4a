import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { getResults } from '../../core/jobs/get-results.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { jsonResponse } from '../shared/http.ts';
import { createJobReader } from '../shared/job-reader.ts';
import { httpHandler } from '../shared/middleware.ts';
import { readRequestBody } from '../shared/request-body.ts';
import type { ResultsConfig } from './env.ts';

/**
 * POST /v1/results: the job's state in the seed's shape. The uuid is the capability, unless the
 * stage binds results to the key that created the job (`cutout:bindResultsToKey`).
 */
export function createResultsHandler(config: ResultsConfig, given: Partial<HandlerDeps> = {}) {
  const aws = clientsFor(config, given);
  const outputs = new S3ObjectStore(aws.s3, aws.s3Presign, config.OUTPUT_BUCKET_NAME);
  const reader = createJobReader(new DynamoJobRepository(aws.dynamo, config.JOBS_TABLE_NAME), {
    bindToKey: config.CUTOUT_BIND_RESULTS_TO_KEY,
    keys: config.KEYS_TABLE_NAME
      ? new DynamoKeyStore(aws.dynamo, config.KEYS_TABLE_NAME)
      : undefined,
  });

  return httpHandler(observed('results', config, given), async (event) => {
    const repo = await reader(event);
    const body = await readRequestBody(event, { maxBytes: 64 * 1024, maxFiles: 0 });
    const uuid = body.fields.uuid ?? event.queryStringParameters?.uuid;
    return jsonResponse(200, await getResults(uuid, { repo, outputs }));
  });
}
