import type { WebhookMessage } from './webhook-message.ts';
import type { WebhookState } from './webhook-model.ts';

/** Ports of webhook delivery; adapters in adapters/aws/ and adapters/http/, fakes in the unit tests. */

/** The webhooks queue. */
export interface WebhookQueue {
  send(message: WebhookMessage): Promise<void>;
}

/**
 * The job item's webhook state, with single-item conditional writes, and the sparse index of
 * jobs whose job-finished event is not settled yet (the reconciler's list).
 */
export interface WebhookStore {
  /**
   * The one claim of a finished job's event: succeeds only while the job has no state yet, so
   * of two workers finishing the last files at once exactly one enqueues. @returns whether this
   * call made the claim
   */
  claim(jobId: string, now: number): Promise<boolean>;
  /**
   * Writes the state after an attempt. A final state (delivered, failed) takes the job out of
   * the reconciler's index, and is never overwritten by a late non-final one.
   * @returns false when the job is gone or already settled
   */
  record(jobId: string, state: WebhookState): Promise<boolean>;
  /**
   * Moves the reconciler's next look at the job to `at` (epoch ms); with `touchedAt`, also sets
   * the state's updatedAt (after a re-send, so the next run does not send it again at once).
   */
  postpone(jobId: string, at: number, touchedAt?: number): Promise<void>;
  /** Takes the job out of the index (its event is settled, or it wants none). */
  settle(jobId: string): Promise<void>;
  /** Jobs in the index due at or before `before` (epoch ms), oldest first, at most `limit`. */
  listDue(before: number, limit: number): Promise<string[]>;
}

/** A key's signing secret, made on first use (two racers get the same one). */
export interface WebhookSecrets {
  /** @returns undefined when no key has the id */
  secretFor(keyId: string): Promise<string | undefined>;
}

/** The operator's side (`cutout keys webhook-secret`): also replaces a secret. */
export interface WebhookSecretAdmin extends WebhookSecrets {
  /** @returns the new secret; undefined when no key has the id */
  rotate(keyId: string): Promise<string | undefined>;
}

export interface WebhookPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * POSTs one event through the outbound guard. Resolves with the receiver's status (any status:
 * the caller decides); rejects with a CutoutError when nothing was answered (refused address,
 * timeout, connection error); `refused` tells a policy refusal, which no retry changes.
 */
export type WebhookSender = (post: WebhookPost) => Promise<{ readonly status: number }>;
