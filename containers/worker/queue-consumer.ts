import type { Message } from '@aws-sdk/client-sqs';
import { type ConsumerShared, type SlotSettings, startSlot } from './consumer-slot.ts';
import { drainedWithin, handBack } from './hand-back.ts';
import { visibilitySetter } from './message-visibility.ts';

export type { MessageHandler, MessageOutcome } from './consumer-slot.ts';

/**
 * Long-polls one SQS queue with N sqs-consumer Consumers (one message each, so N files run at once
 * and a slow file never holds up a batch). sqs-consumer extends the visibility while a handler
 * runs (heartbeat) and deletes the message when the handler acknowledges it. This wrapper adds the
 * shutdown rules: stop taking messages, let in-flight ones finish within a deadline, then abort
 * whatever could not finish (its handler releases the file's lease) and hand it back (visible
 * again a second later), and never start a message once stopping.
 */

export interface QueueConsumerOptions extends SlotSettings {
  /** Parallel messages from this queue. */
  readonly concurrency: number;
  /**
   * At a hand-back, how long the aborted handlers get to release their files' leases before
   * the messages are made visible anyway (default 5 s).
   */
  readonly releaseWaitMs?: number;
  readonly onError?: (error: Error, message: Message | undefined) => void;
}

export interface QueueConsumer {
  /** Messages being handled right now. */
  readonly inFlight: number;
  /**
   * Stops taking messages, waits up to `drainTimeoutMs` for the in-flight ones, then aborts any
   * that are still running, gives their handlers a moment to release their leases, and hands
   * them back (visible again within a second) so another worker takes them over at once.
   */
  stop(drainTimeoutMs: number): Promise<void>;
  /**
   * What a crash looks like to SQS: polling and heartbeats stop at once, nothing is acknowledged
   * or handed back, and in-flight messages reappear only when their visibility runs out.
   */
  kill(): void;
}

const DEFAULT_RELEASE_WAIT_MS = 5_000;

export function startQueueConsumer(options: QueueConsumerOptions): QueueConsumer {
  const onError = options.onError ?? (() => undefined);
  const shared: ConsumerShared = {
    phase: 'running',
    inFlight: new Map(),
    setVisibility: visibilitySetter(options.sqs, options.queueUrl, onError),
    onError,
  };
  const slots = Array.from({ length: options.concurrency }, () => startSlot(options, shared));
  const stopAll = () => {
    for (const slot of slots) slot.consumer.stop({ abort: true });
  };

  return {
    get inFlight() {
      return shared.inFlight.size;
    },
    async stop(drainTimeoutMs) {
      if (shared.phase !== 'running') return;
      shared.phase = 'stopping';
      for (const slot of slots) {
        // A busy consumer still needs its SQS requests (heartbeat, delete) for the message it is
        // finishing, so it stops right after; an idle one is only waiting in a long poll.
        if (slot.busy) slot.stopWhenIdle = true;
        else slot.consumer.stop({ abort: true });
      }
      if ((await drainedWithin(slots, drainTimeoutMs)) === 'drained') {
        stopAll();
        return;
      }
      shared.phase = 'released';
      // Aborting ends the heartbeats, which would otherwise hide the handed-back messages again.
      stopAll();
      await handBack(
        [...shared.inFlight.values()],
        shared.setVisibility,
        options.releaseWaitMs ?? DEFAULT_RELEASE_WAIT_MS,
      );
    },
    kill() {
      shared.phase = 'killed';
      stopAll();
    },
  };
}
