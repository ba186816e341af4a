/**
 * What processFile did with one message. `createdAt` is the file record's creation time (for
 * end-to-end latency); a failed file's `modelId` is the model the job asked for, since none ran
 * to completion.
 */
export type ProcessFileOutcome =
  | {
      readonly outcome: 'done';
      readonly outputKey: string;
      readonly modelId: string;
      readonly createdAt?: string;
    }
  | {
      readonly outcome: 'failed';
      readonly code: string;
      readonly error: string;
      readonly modelId?: string;
      readonly createdAt?: string;
    }
  | { readonly outcome: 'skipped'; readonly reason: string }
  /**
   * Another claim holds the file and this message may be the holder's own (it was delivered
   * before): leave it hidden until the lease can have ended, then look again (see claimFile).
   */
  | { readonly outcome: 'held'; readonly reason: string; readonly retryInSeconds: number };
