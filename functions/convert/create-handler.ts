import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { inlineBodyLimit } from '../../core/config/inline-limit.ts';
import { createJob } from '../../core/jobs/create-job.ts';
import { DEFAULT_JOB_LIMITS } from '../../core/jobs/job-limits.ts';
import { createApiKeyVerifier } from '../shared/api-key-check.ts';
import { sortFileParts } from '../shared/convert-parts.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { jsonResponse } from '../shared/http.ts';
import { httpHandler } from '../shared/middleware.ts';
import { readRequestBody } from '../shared/request-body.ts';
import { convertJobDeps } from './convert-deps.ts';
import type { ConvertConfig } from './env.ts';

/** POST /v1/convert: creates a job from inline files or an `uploads` list; replies {uuid[, uploads]}. */
export function createConvertHandler(config: ConvertConfig, given: Partial<HandlerDeps> = {}) {
  const aws = clientsFor(config, given);
  const deps = convertJobDeps(config, aws);
  // On AWS there is no keys table here: the authorizer's context names the key (api-key-check.ts).
  const apiKeyOf = createApiKeyVerifier(
    config.KEYS_TABLE_NAME ? new DynamoKeyStore(aws.dynamo, config.KEYS_TABLE_NAME) : undefined,
  );

  return httpHandler(observed('convert', config, given), async (event, _context, logger) => {
    const apiKeyId = await apiKeyOf(event);
    const body = await readRequestBody(event, {
      maxBytes: inlineBodyLimit(config.INLINE_LIMIT_BYTES),
      inlineLimitBytes: config.INLINE_LIMIT_BYTES,
      maxFiles: DEFAULT_JOB_LIMITS.maxFiles,
    });
    const { files, background } = sortFileParts(body.files);
    const result = await createJob(
      { apiKeyId, fields: body.fields, files, ...(background ? { background } : {}) },
      deps,
    );
    logger.log('info', 'job created', { jobId: result.uuid, apiKeyId, files: files.length });
    return jsonResponse(200, result);
  });
}
