import { z } from 'zod';
import type { UploadedObject } from '../../core/jobs/mark-uploaded.ts';

/** The part of an S3 event notification the upload handler reads. */
const s3EventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string(),
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({
            key: z.string(),
            size: z.number().optional(),
            eTag: z.string().optional(),
            sequencer: z.string().optional(),
          }),
        }),
      }),
    )
    .default([]),
});

/** S3 writes keys URL-encoded with `+` for spaces. */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** The created objects an event names; test events (`s3:TestEvent`) and deletions yield none. */
export function createdObjects(event: unknown): UploadedObject[] {
  const parsed = s3EventSchema.safeParse(event);
  if (!parsed.success) return [];
  return parsed.data.Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeEventKey(r.s3.object.key),
    ...(r.s3.object.size === undefined ? {} : { size: r.s3.object.size }),
    ...(r.s3.object.eTag ? { eTag: r.s3.object.eTag } : {}),
    ...(r.s3.object.sequencer ? { sequencer: r.s3.object.sequencer } : {}),
  }));
}
