import { awsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { SqsJobQueue } from '../../adapters/aws/sqs-job-queue.ts';
import { inlineBodyLimit } from '../../core/config/inline-limit.ts';
import { createJob } from '../../core/jobs/create-job.ts';
import { DEFAULT_JOB_LIMITS } from '../../core/jobs/job-limits.ts';
import { parseModelAliases } from '../../core/models/aliases.ts';
import { MODEL_MANIFEST } from '../../core/models/bundled-manifest.ts';
import { createApiKeyVerifier } from '../shared/api-key-check.ts';
import { sortFileParts } from '../shared/convert-parts.ts';
import { clientConfig } from '../shared/env-schema.ts';
import { jsonResponse } from '../shared/http.ts';
import { httpHandler } from '../shared/middleware.ts';
import { readRequestBody } from '../shared/request-body.ts';
import { availableModels } from './available-models.ts';
import { env } from './env.ts';

const aws = awsClients(clientConfig(env));
const deps = {
  repo: new DynamoJobRepository(aws.dynamo, env.JOBS_TABLE_NAME),
  inputs: new S3ObjectStore(aws.s3, aws.s3Presign, env.INPUT_BUCKET_NAME),
  queue: new SqsJobQueue(aws.sqs, { image: env.IMAGE_QUEUE_URL, video: env.VIDEO_QUEUE_URL }),
  limits: { ttlDays: env.JOB_TTL_DAYS, maxImageBytes: env.MAX_IMAGE_BYTES },
  knownModels: availableModels(
    MODEL_MANIFEST.models.map((model) => model.id),
    env.CUTOUT_AVAILABLE_MODELS,
    parseModelAliases(env.CUTOUT_MODEL_ALIASES),
  ),
};
// On AWS there is no keys table here: the authorizer's context names the key (api-key-check.ts).
const apiKeyOf = createApiKeyVerifier(
  env.KEYS_TABLE_NAME ? new DynamoKeyStore(aws.dynamo, env.KEYS_TABLE_NAME) : undefined,
);

const observed = { service: 'convert', level: env.LOG_LEVEL };

/** POST /v1/convert: creates a job from inline files or an `uploads` list; replies {uuid[, uploads]}. */
export const handler = httpHandler(observed, async (event, _context, logger) => {
  const apiKeyId = await apiKeyOf(event);
  const body = await readRequestBody(event, {
    maxBytes: inlineBodyLimit(env.INLINE_LIMIT_BYTES),
    inlineLimitBytes: env.INLINE_LIMIT_BYTES,
    maxFiles: DEFAULT_JOB_LIMITS.maxFiles,
  });
  const { files, background } = sortFileParts(body.files);
  const result = await createJob(
    { apiKeyId, fields: body.fields, files, ...(background ? { background } : {}) },
    deps,
  );
  logger.log('info', 'job created', {
    jobId: result.uuid,
    apiKeyId,
    files: files.length,
  });
  return jsonResponse(200, result);
});
