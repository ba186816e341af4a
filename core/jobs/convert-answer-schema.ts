import { z } from 'zod';

/**
 * The `/v1/convert` answer as a schema: createJob's answer is parsed through it (create-job.ts)
 * and the API document is generated from it (core/api/openapi-document.ts).
 */

const postTargetSchema = z
  .strictObject({
    filename: z.string(),
    method: z.literal('POST'),
    url: z.string(),
    fields: z.record(z.string(), z.string()),
  })
  .meta({
    description:
      'A presigned POST: send multipart/form-data with every entry of `fields`, then the file as the last part',
  });

const multipartTargetSchema = z
  .strictObject({
    filename: z.string(),
    method: z.literal('multipart'),
    upload_id: z.string(),
    part_size: z.number().int().positive(),
    parts: z.array(z.strictObject({ part_number: z.number().int().positive(), url: z.string() })),
    complete_url: z.string(),
  })
  .meta({
    description:
      'An S3 multipart upload: PUT each `part_size` slice (the last is the remainder) to its URL, keep each ETag, then POST <CompleteMultipartUpload> to `complete_url`',
  });

export const uploadTargetSchema = z.discriminatedUnion('method', [
  postTargetSchema,
  multipartTargetSchema,
]);

export const convertAnswerSchema = z.strictObject({
  uuid: z.string(),
  uploads: z
    .array(uploadTargetSchema)
    .optional()
    .meta({ description: 'Uploads mode only: one target per requested upload, in order' }),
});
