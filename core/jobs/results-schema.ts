import { z } from 'zod';
import { webhookResultSchema } from '../webhooks/webhook-results.ts';
import { FILE_STATUSES } from './job.ts';

/**
 * The `/v1/results` answer as a schema: the handler's answer is parsed through it (get-results.ts)
 * and the API document is generated from it, so the two cannot drift. Strict objects: a field
 * added to the answer but not here fails loudly in every test that polls.
 */

export const resultFileSchema = z.strictObject({
  url: z.string().meta({ description: "Path on the API's own host: prepend the host" }),
  filename: z.string(),
  download_url: z.string().meta({ description: 'Absolute, short-lived presigned S3 URL' }),
  progress: z.number().min(0).max(1),
  model: z.string().optional().meta({ description: 'The model that made this result' }),
  licence: z.string().optional().meta({
    description:
      "SPDX id of that model's licence (models/manifest.json); absent for a model outside the manifest",
  }),
  warnings: z.array(z.string()),
  width: z.number().int().optional().meta({ description: "Images: the result's width in pixels" }),
  height: z
    .number()
    .int()
    .optional()
    .meta({ description: "Images: the result's height in pixels" }),
  bbox: z
    .strictObject({
      x: z.number().int(),
      y: z.number().int(),
      width: z.number().int(),
      height: z.number().int(),
    })
    .nullable()
    .optional()
    .meta({
      description:
        "Images: the subject's bounding box in the result's pixels (alpha >= 32 of 255); null when no subject was found",
    }),
});

export const resultItemSchema = z.strictObject({
  filename: z.string().meta({ description: 'The output name' }),
  input: z.string().meta({ description: 'The input file name as sent' }),
  source_url: z
    .string()
    .optional()
    .meta({ description: 'An image_url input: the URL the worker fetched it from' }),
  status: z.enum(FILE_STATUSES),
  progress: z.number().min(0).max(1),
  attempts: z.number().int().min(0),
  error: z.string().optional(),
});

export const jobResultsSchema = z.strictObject({
  files: z.array(resultFileSchema).meta({ description: 'Finished results' }),
  failed: z.array(z.strictObject({ filename: z.string(), error: z.string() })),
  finished: z.boolean().meta({ description: 'Every file is done or failed' }),
  queue_count: z.number().int().min(0).meta({ description: 'Files not started yet' }),
  errors: z.array(z.string()),
  uuid: z.string(),
  status: z.enum(FILE_STATUSES),
  progress: z.number().min(0).max(1).meta({ description: "Mean progress of the job's files" }),
  items: z.array(resultItemSchema).meta({ description: 'Every file with its state, in order' }),
  webhook: webhookResultSchema.optional(),
});

export type ResultFile = z.output<typeof resultFileSchema>;
export type ResultItem = z.output<typeof resultItemSchema>;
export type JobResults = z.output<typeof jobResultsSchema>;
