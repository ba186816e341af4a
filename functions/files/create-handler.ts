import { contentDisposition } from '../../adapters/aws/s3-object-store.ts';
import { invalidField } from '../../core/errors.ts';
import { getFile } from '../../core/jobs/get-file.ts';
import { geometryHeaders } from '../../core/jobs/result-headers.ts';
import { clientsFor, type HandlerDeps, observed } from '../shared/handler-deps.ts';
import { binaryResponse, redirectResponse } from '../shared/http.ts';
import { jobReadAccess } from '../shared/job-reader.ts';
import { httpHandler } from '../shared/middleware.ts';
import type { FilesConfig } from './env.ts';

/** Path parameters may arrive encoded or decoded; names never contain `%`, so decoding is safe. */
function pathParam(value: string | undefined, field: string): string {
  if (!value) throw invalidField(field, 'is required');
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * GET /v1/files/{uuid}/{name}: the bytes when they fit the response limit, else a 302 to S3.
 * Bound to the creating key like /v1/results when the stage says so.
 */
export function createFilesHandler(config: FilesConfig, given: Partial<HandlerDeps> = {}) {
  const aws = clientsFor(config, given);
  const { outputs, reader } = jobReadAccess(config, aws);

  return httpHandler(observed('files', config, given), async (event) => {
    const repo = await reader(event);
    const uuid = pathParam(event.pathParameters?.uuid, 'uuid');
    const name = pathParam(event.pathParameters?.name, 'name');
    const download = await getFile(uuid, name, {
      repo,
      outputs,
      maxInlineBytes: config.RESPONSE_LIMIT_BYTES,
    });
    const geometry = geometryHeaders(download.geometry);
    if (download.kind === 'redirect') {
      const redirect = redirectResponse(download.url);
      return { ...redirect, headers: { ...redirect.headers, ...geometry } };
    }
    return binaryResponse(download.data, download.contentType, {
      'Content-Disposition': contentDisposition(download.filename),
      'Cache-Control': 'private, max-age=300',
      ...geometry,
    });
  });
}
