import { z } from 'zod';
import { invalidField } from '../errors.ts';

/** The `uploads` list of a convert request: files the client will upload itself. */

const uploadSchema = z.object({
  filename: z.string().min(1).max(1024),
  size: z.coerce.number().int().positive(),
  content_type: z.string().min(1).max(255),
});

export const uploadsSchema = z.array(uploadSchema).min(1);

export interface UploadRequest {
  readonly filename: string;
  readonly size: number;
  readonly contentType: string;
}

/**
 * Accepts an array, or a JSON string of one (urlencoded and multipart bodies carry it as text).
 * @throws CutoutError INVALID_REQUEST naming `uploads[i].field`
 */
export function parseUploads(raw: unknown): UploadRequest[] {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw invalidField('uploads', 'must be a JSON list of {filename, size, content_type}');
    }
  }
  const result = uploadsSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    const where = path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`),
      'uploads',
    );
    throw invalidField(where, issue?.message ?? 'invalid');
  }
  return result.data.map((u) => ({
    filename: u.filename,
    size: u.size,
    contentType: u.content_type,
  }));
}
