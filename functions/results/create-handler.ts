import { getResults } from '../../core/jobs/get-results.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { jsonResponse } from '../shared/http.ts';
import { jobReadAccess } from '../shared/job-reader.ts';
import { httpHandler } from '../shared/middleware.ts';
import { openApiAnswer } from '../shared/openapi-answer.ts';
import { readRequestBody } from '../shared/request-body.ts';
import type { ResultsConfig } from './env.ts';

/**
 * POST /v1/results: the job's state in the seed's shape. The uuid is the capability, unless the
 * stage binds results to the key that created the job (`cutout:bindResultsToKey`).
 */
export function createResultsHandler(config: ResultsConfig, given: Partial<HandlerDeps> = {}) {
  const aws = clientsFor(config, given);
  const { outputs, reader } = jobReadAccess(config, aws);

  return httpHandler(observed('results', config, given), async (event) => {
    // The only GET this function has is the API document, open even when results are bound.
    if (event.httpMethod === 'GET') return openApiAnswer();
    const repo = await reader(event);
    const body = await readRequestBody(event, { maxBytes: 64 * 1024, maxFiles: 0 });
    const uuid = body.fields.uuid ?? event.queryStringParameters?.uuid;
    return jsonResponse(200, await getResults(uuid, { repo, outputs }));
  });
}
