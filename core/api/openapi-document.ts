import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { convertAnswerSchema, uploadTargetSchema } from '../jobs/convert-answer-schema.ts';
import { FILE_STATUSES } from '../jobs/job.ts';
import { jobResultsSchema } from '../jobs/results-schema.ts';
import { uploadsSchema } from '../jobs/uploads.ts';
import { CONVERT_SHAPES, type CONVERT_TO } from '../params/convert-params.ts';
import { type FieldShape, fieldDocs } from '../params/field-schemas.ts';

/**
 * The API's OpenAPI 3.1 document, generated from the zod schemas that parse its requests
 * (CONVERT_SHAPES, uploadsSchema) and shape its answers (jobResultsSchema): a field added to a
 * parser is documented without more ado, and test/unit/core/api checks the two agree.
 */

type Json = Record<string, unknown>;

export interface OpenApiInputs {
  /** The one error-code -> HTTP status table (functions/shared/http.ts). */
  readonly httpStatus: Readonly<Record<ErrorCode, number>>;
  /** Largest inline request body a deployment takes by default. */
  readonly inlineLimitBytes: number;
}

/** JSON Schema of a zod schema as a client sends it (`io: 'input'`), field docs filled in. */
function inputSchema(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      const doc = fieldDocs.get(ctx.zodSchema);
      if (doc !== undefined) Object.assign(ctx.jsonSchema, doc);
    },
  }) as Json;
  delete json.$schema;
  return json;
}

function outputSchema(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' }) as Json;
  delete json.$schema;
  delete json.id;
  return json;
}

/** A kind's options: the shape's fields plus `convert_to` fixed to that kind. */
function optionsSchema(kind: (typeof CONVERT_TO)[number], shape: FieldShape): Json {
  const json = inputSchema(z.object({ ...CONVERT_SHAPES.common, ...shape }));
  const properties = json.properties as Record<string, Json>;
  properties.convert_to = { ...properties.convert_to, const: kind };
  json.required = ['convert_to'];
  return json;
}

const FILE_PARTS: Json = {
  files: {
    type: 'array',
    items: { type: 'string', contentMediaType: 'application/octet-stream' },
    description: 'The input files (also `file`, `file[0]`, `file[1]`, ...)',
  },
  bg_image: {
    type: 'string',
    contentMediaType: 'application/octet-stream',
    description: 'The background image (bg_type=image, video_over_image)',
  },
  bg_video: {
    type: 'string',
    contentMediaType: 'application/octet-stream',
    description: 'The background video (video_over_video)',
  },
  uploads: {
    type: 'string',
    contentMediaType: 'application/json',
    description: 'Instead of files: the uploads list as JSON text, beside an inline background',
  },
};

function errorResponses(httpStatus: OpenApiInputs['httpStatus']): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ERROR_CODES) {
    const status = httpStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => [
        String(status),
        {
          description: `Error: ${codes.join(', ')}`,
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: { error: 'alpha_fg: must be an integer from 0 to 255', code: codes[0] },
            },
          },
        },
      ]),
  );
}

const UPLOADS_FLOW =
  'Files up to the inline limit travel in the request (multipart/form-data). For larger files send ' +
  '`uploads` ([{filename, size, content_type}]) in a JSON or urlencoded body instead: the answer ' +
  'carries one target per upload, in order. `method: POST` is a presigned S3 POST (form fields, ' +
  'then the file last); `method: multipart` (large files) lists part URLs, each signed for its ' +
  "part's exact size, and a `complete_url`. When an object lands its file moves from " +
  '`waiting_upload` to `queued`; poll /v1/results as usual.';

export function buildOpenApiDocument(inputs: OpenApiInputs): Json {
  const imageOptions = optionsSchema('image-backgroundremover', CONVERT_SHAPES.image);
  const videoOptions = optionsSchema('video-backgroundremover', CONVERT_SHAPES.video);
  const uploads = inputSchema(uploadsSchema);
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const withUploads = (name: string) => ({
    allOf: [ref(name), { type: 'object', properties: { uploads: ref('Uploads') } }],
  });
  const withFiles = (name: string) => ({
    allOf: [ref(name), { type: 'object', properties: FILE_PARTS }],
  });
  const errors = errorResponses(inputs.httpStatus);
  const json = (schema: Json, example?: unknown) => ({
    'application/json': { schema, ...(example === undefined ? {} : { example }) },
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'cutout',
      version: 'v1',
      description:
        'Self-hosted background removal. POST /v1/convert creates a job, POST /v1/results polls ' +
        `it, GET /v1/files fetches results. Inline requests carry at most ${inputs.inlineLimitBytes} ` +
        `bytes by default (INLINE_LIMIT_BYTES). ${UPLOADS_FLOW}`,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    paths: {
      '/v1/convert': {
        post: {
          operationId: 'convert',
          summary: 'Create a job',
          description: UPLOADS_FLOW,
          security: [{ apiKey: [] }],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: { oneOf: [withFiles('ImageOptions'), withFiles('VideoOptions')] },
                example: {
                  convert_to: 'image-backgroundremover',
                  alpha_matting: 'true',
                  files: ['(cat.jpg bytes)'],
                },
              },
              'application/json': {
                schema: { oneOf: [withUploads('ImageOptions'), withUploads('VideoOptions')] },
                example: {
                  convert_to: 'image-backgroundremover',
                  bg_type: 'color',
                  bg_color_value: '#ffffff',
                  uploads: [{ filename: 'cat.jpg', size: 8_388_608, content_type: 'image/jpeg' }],
                },
              },
              'application/x-www-form-urlencoded': {
                schema: { oneOf: [withUploads('ImageOptions'), withUploads('VideoOptions')] },
              },
            },
          },
          responses: {
            '200': {
              description: 'The job was created',
              content: json(ref('ConvertAccepted'), {
                uuid: '0b6f2c1e-8d0a-4a57-9d55-4c1c1d7e2f10',
              }),
            },
            ...errors,
          },
        },
      },
      '/v1/results': {
        post: {
          operationId: 'results',
          summary: "A job's state, its results and their download URLs",
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { uuid: { type: 'string', format: 'uuid' } },
                  required: ['uuid'],
                },
                example: { uuid: '0b6f2c1e-8d0a-4a57-9d55-4c1c1d7e2f10' },
              },
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  properties: { uuid: { type: 'string', format: 'uuid' } },
                  required: ['uuid'],
                },
              },
            },
          },
          responses: {
            '200': {
              description: "The job's state",
              content: json(ref('JobResults'), {
                files: [
                  {
                    url: '/v1/files/0b6f2c1e-8d0a-4a57-9d55-4c1c1d7e2f10/cat.png',
                    filename: 'cat.png',
                    download_url:
                      'https://bucket.s3.amazonaws.com/results/cat.png?X-Amz-Signature=…',
                    progress: 1,
                    model: 'u2net',
                    warnings: [],
                  },
                ],
                failed: [],
                finished: true,
                queue_count: 0,
                errors: [],
                uuid: '0b6f2c1e-8d0a-4a57-9d55-4c1c1d7e2f10',
                status: 'done',
                progress: 1,
                items: [
                  {
                    filename: 'cat.png',
                    input: 'cat.jpg',
                    status: 'done',
                    progress: 1,
                    attempts: 1,
                  },
                ],
              }),
            },
            ...errors,
          },
        },
      },
      '/v1/files/{uuid}/{name}': {
        get: {
          operationId: 'file',
          summary: 'A result file',
          parameters: [
            { name: 'uuid', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'The bytes',
              content: { '*/*': { schema: { type: 'string', contentMediaType: '*/*' } } },
            },
            '302': { description: 'Too large to answer inline: Location is a presigned S3 URL' },
            ...errors,
          },
        },
      },
      '/v1/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'The key itself (as `cutout keys create` prints it), or `Bearer <key>`',
        },
      },
      schemas: {
        ImageOptions: imageOptions,
        VideoOptions: videoOptions,
        Uploads: uploads,
        UploadTarget: outputSchema(uploadTargetSchema),
        ConvertAccepted: outputSchema(convertAnswerSchema),
        JobResults: outputSchema(jobResultsSchema),
        FileStatus: { type: 'string', enum: [...FILE_STATUSES] },
        ErrorCode: {
          type: 'string',
          enum: [...ERROR_CODES],
          'x-http-status': Object.fromEntries(ERROR_CODES.map((c) => [c, inputs.httpStatus[c]])),
        },
        Error: {
          type: 'object',
          properties: {
            error: { type: 'string', description: 'For people: names the field or file' },
            code: ref('ErrorCode'),
            request_id: { type: 'string', description: '5xx only' },
          },
          required: ['error', 'code'],
        },
      },
    },
  };
}
