import { z } from 'zod';
import { CutoutError } from '../errors.ts';

/**
 * The queue message: ids only, never pixels, versioned so a worker can refuse a shape it
 * does not know instead of guessing.
 */
export const jobMessageSchema = z.object({
  v: z.literal(1),
  jobId: z.uuid(),
  fileId: z.string().regex(/^\d{4}$/),
  kind: z.enum(['image', 'video']),
});

export type JobMessage = z.infer<typeof jobMessageSchema>;

/** @throws CutoutError INVALID_REQUEST when the body is not a JobMessage (never redeliver it) */
export function parseJobMessage(body: string): JobMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new CutoutError('INVALID_REQUEST', 'queue message is not JSON', { cause });
  }
  const result = jobMessageSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || 'message';
    throw new CutoutError(
      'INVALID_REQUEST',
      `queue message ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}
