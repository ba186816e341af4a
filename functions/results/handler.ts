import { awsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { getResults } from '../../core/jobs/get-results.ts';
import { clientConfig } from '../shared/env-schema.ts';
import { jsonResponse } from '../shared/http.ts';
import { httpHandler } from '../shared/middleware.ts';
import { readRequestBody } from '../shared/request-body.ts';
import { env } from './env.ts';

const aws = awsClients(clientConfig(env));
const deps = {
  repo: new DynamoJobRepository(aws.dynamo, env.JOBS_TABLE_NAME),
  outputs: new S3ObjectStore(aws.s3, aws.s3Presign, env.OUTPUT_BUCKET_NAME),
};

/** POST /v1/results: the job's state in the seed's shape. The uuid is the capability; no key. */
export const handler = httpHandler('results', async (event) => {
  const body = await readRequestBody(event, { maxBytes: 64 * 1024, maxFiles: 0 });
  const uuid = body.fields.uuid ?? event.queryStringParameters?.uuid;
  return jsonResponse(200, await getResults(uuid, deps));
});
