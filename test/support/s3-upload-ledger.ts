import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Records the multipart uploads an S3 client starts, completes and aborts (fauxqs has no
 * ListMultipartUploads), so a test can say that none was left open: an open multipart upload
 * is storage billed on AWS until a lifecycle rule removes it.
 */
export interface UploadLedger {
  /** Upload ids started and neither completed nor aborted. */
  open(): string[];
  started(): number;
  aborted(): number;
}

export function recordMultipartUploads(s3: S3Client): UploadLedger {
  const started = new Set<string>();
  const finished = new Set<string>();
  let aborts = 0;
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { UploadId?: string };
      const output = result.output as { UploadId?: string };
      if (context.commandName === 'CreateMultipartUploadCommand' && output.UploadId) {
        started.add(output.UploadId);
      }
      if (context.commandName === 'CompleteMultipartUploadCommand' && input.UploadId) {
        finished.add(input.UploadId);
      }
      if (context.commandName === 'AbortMultipartUploadCommand' && input.UploadId) {
        finished.add(input.UploadId);
        aborts += 1;
      }
      return result;
    },
    { step: 'initialize', name: 'cutoutTestUploadLedger' },
  );
  return {
    open: () => [...started].filter((id) => !finished.has(id)),
    started: () => started.size,
    aborted: () => aborts,
  };
}
