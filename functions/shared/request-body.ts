import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describeBytes } from '../../core/config/inline-limit.ts';
import { CutoutError, invalidField } from '../../core/errors.ts';
import { formFields } from '../../core/jobs/image-urls.ts';
import { type FilePart, parseMultipart } from './multipart.ts';

/** A request body as fields and file parts, whatever its encoding. */
export interface RequestBody {
  readonly fields: Record<string, unknown>;
  readonly files: FilePart[];
}

export function header(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

export function bodyBytes(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

export interface ReadBodyOptions {
  /** Largest body accepted; the message points larger files to `uploads`. */
  readonly maxBytes: number;
  readonly maxFiles: number;
  /**
   * The inline limit on files (convert): each file part is held to it, and a refusal states it.
   * Default `maxBytes`.
   */
  readonly inlineLimitBytes?: number;
}

const UPLOADS_HINT =
  'send an uploads list ([{filename, size, content_type}]) instead of the files to get presigned S3 upload targets';

/**
 * Reads multipart/form-data, application/x-www-form-urlencoded or JSON.
 * @throws CutoutError INPUT_TOO_LARGE (with the `uploads` hint), INVALID_REQUEST, UNSUPPORTED_MEDIA
 */
export async function readRequestBody(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
  options: ReadBodyOptions,
): Promise<RequestBody> {
  const body = bodyBytes(event);
  const inlineLimit = options.inlineLimitBytes ?? options.maxBytes;
  if (body.byteLength > options.maxBytes) {
    const limit =
      options.inlineLimitBytes === undefined
        ? `the ${describeBytes(options.maxBytes)} limit`
        : `the inline limit: ${describeBytes(inlineLimit)} of files per request`;
    throw new CutoutError(
      'INPUT_TOO_LARGE',
      `body: ${describeBytes(body.byteLength)} is over ${limit}; ${UPLOADS_HINT}`,
      { field: 'body' },
    );
  }
  const contentType = header(event, 'content-type') ?? '';
  const type = mediaType(contentType);
  if (type === 'multipart/form-data') {
    return parseMultipart(body, contentType, {
      maxFileBytes: inlineLimit,
      maxFiles: options.maxFiles + 1,
      maxFields: 200,
    });
  }
  if (isJsonType(type)) {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw invalidField('body', 'is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalidField('body', 'must be a JSON object of fields');
    }
    return { fields: value as Record<string, unknown>, files: [] };
  }
  if (type === 'application/x-www-form-urlencoded' || (type === '' && body.byteLength > 0)) {
    return { fields: formFields(new URLSearchParams(body.toString('utf8'))), files: [] };
  }
  if (type === '' || body.byteLength === 0) return { fields: {}, files: [] };
  throw unsupportedBodyType(type);
}

/** A Content-Type's media type, lower-case, without its parameters. */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0]?.trim().toLowerCase() ?? '';
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** Whether a body of this media type is read as fields (JSON or a URL-encoded form). */
export function isFieldsType(type: string): boolean {
  return isJsonType(type) || type === 'application/x-www-form-urlencoded' || type === '';
}

export function unsupportedBodyType(type: string): CutoutError {
  return new CutoutError(
    'UNSUPPORTED_MEDIA',
    `Content-Type: ${type} is not accepted; use multipart/form-data, application/x-www-form-urlencoded or JSON`,
    { field: 'Content-Type' },
  );
}
