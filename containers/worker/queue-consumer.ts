import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';

/**
 * Long-polls one SQS queue with N sqs-consumer Consumers (one message each, so N files run at once
 * and a slow file never holds up a batch). sqs-consumer extends the visibility while a handler
 * runs (heartbeat) and deletes the message when the handler acknowledges it. This wrapper adds the
 * shutdown rules: stop taking messages, let in-flight ones finish within a deadline, then abort
 * whatever could not finish (its handler releases the file's lease) and hand it back (visible
 * again a second later), and never start a message once stopping.
 */

/**
 * What to do with a message once its handler is done: delete it, show it again after the retry
 * delay, or show it again after a delay of the handler's choosing.
 */
export type MessageOutcome = 'ack' | 'retry' | { readonly retryInSeconds: number };

/**
 * `signal` aborts when the consumer gives the message up (drain deadline passed): the handler
 * then releases what it holds and settles promptly; its outcome is ignored, the message is
 * handed back.
 */
export type MessageHandler = (message: Message, signal: AbortSignal) => Promise<MessageOutcome>;

export interface QueueConsumerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Parallel messages from this queue. */
  readonly concurrency: number;
  /** How long a received message stays hidden, renewed by each heartbeat. */
  readonly visibilityTimeoutSeconds: number;
  /** Seconds between visibility extensions; below the visibility timeout. */
  readonly heartbeatSeconds: number;
  /** Long-poll wait, 0-20 s. */
  readonly waitTimeSeconds: number;
  /** A message whose handler asked for a retry is visible again after this long (at least 1 s). */
  readonly retryDelaySeconds: number;
  readonly handle: MessageHandler;
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

/** The shortest hand-back: the message is receivable again a second later. */
const MIN_VISIBILITY_SECONDS = 1;
const DEFAULT_RELEASE_WAIT_MS = 5_000;

interface InFlight {
  readonly message: Message;
  readonly controller: AbortController;
  /** Resolves when the handler has returned (or thrown). */
  readonly handled: Promise<void>;
}

interface Slot {
  readonly consumer: Consumer;
  busy: boolean;
  /** Set when a stop found the slot busy: it stops once its message is acknowledged or released. */
  stopWhenIdle: boolean;
  /** Resolves when the current message is fully settled (deleted, or its visibility changed). */
  settled: Promise<void>;
  settle: () => void;
}

export function startQueueConsumer(options: QueueConsumerOptions): QueueConsumer {
  const inFlight = new Map<string, InFlight>();
  // 'released': the drain deadline passed and in-flight messages were handed back.
  let state: 'running' | 'stopping' | 'released' | 'killed' = 'running';
  const onError = options.onError ?? (() => undefined);
  /** In-flight messages are no longer this consumer's to acknowledge or hand back. */
  const abandoned = () => state === 'killed' || state === 'released';

  const setVisibility = async (message: Message, seconds: number): Promise<void> => {
    try {
      await options.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          // Never 0: fauxqs 2.4.1 with persistence drops a message whose visibility is set to 0
          // (it is neither in flight nor ready afterwards). One second costs nothing on AWS.
          VisibilityTimeout: Math.max(MIN_VISIBILITY_SECONDS, seconds),
        }),
      );
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)), message);
    }
  };

  const createSlot = (): Slot => {
    const slot: Slot = {
      busy: false,
      stopWhenIdle: false,
      settled: Promise.resolve(),
      settle: () => undefined,
      consumer: Consumer.create({
        queueUrl: options.queueUrl,
        sqs: options.sqs,
        batchSize: 1,
        visibilityTimeout: options.visibilityTimeoutSeconds,
        heartbeatInterval: options.heartbeatSeconds,
        waitTimeSeconds: options.waitTimeSeconds,
        // Only reached when this wrapper itself throws; the handler's own errors are outcomes.
        terminateVisibilityTimeout: options.retryDelaySeconds,
        messageSystemAttributeNames: ['ApproximateReceiveCount'],
        strictReturn: true,
        handleMessage: async (message) => {
          if (state !== 'running') {
            // Received by a poll that was already under way when the worker began to stop.
            if (state !== 'killed') await setVisibility(message, MIN_VISIBILITY_SECONDS);
            return undefined;
          }
          slot.busy = true;
          slot.settled = new Promise<void>((resolve) => {
            slot.settle = resolve;
          });
          const id = message.MessageId ?? message.ReceiptHandle ?? String(inFlight.size);
          const controller = new AbortController();
          const running = options.handle(message, controller.signal);
          inFlight.set(id, {
            message,
            controller,
            handled: running.then(
              () => undefined,
              () => undefined,
            ),
          });
          try {
            const outcome = await running;
            if (abandoned()) return undefined;
            if (outcome === 'ack') return message;
            await setVisibility(
              message,
              outcome === 'retry' ? options.retryDelaySeconds : outcome.retryInSeconds,
            );
            return undefined;
          } finally {
            inFlight.delete(id);
          }
        },
      }),
    };
    slot.consumer.on('error', (error, message) => {
      // Once stopping, errors are aborted long polls and heartbeats: how a stop works, not faults.
      if (state === 'running') onError(error, Array.isArray(message) ? message[0] : message);
    });
    slot.consumer.on('processing_error', (error, message) => onError(error, message));
    // Emitted after the delete (or its failure) and before the consumer schedules its next poll.
    slot.consumer.on('response_processed', () => {
      if (slot.stopWhenIdle) slot.consumer.stop({ abort: true });
      if (slot.busy) {
        slot.busy = false;
        slot.settle();
      }
    });
    slot.consumer.start();
    return slot;
  };

  const slots = Array.from({ length: options.concurrency }, createSlot);

  return {
    get inFlight() {
      return inFlight.size;
    },
    async stop(drainTimeoutMs) {
      if (state !== 'running') return;
      state = 'stopping';
      for (const slot of slots) {
        // A busy consumer still needs its SQS requests (heartbeat, delete) for the message it is
        // finishing, so it stops right after; an idle one is only waiting in a long poll.
        if (slot.busy) slot.stopWhenIdle = true;
        else slot.consumer.stop({ abort: true });
      }
      const pending = slots.filter((slot) => slot.busy).map((slot) => slot.settled);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), drainTimeoutMs);
      });
      const drained = await Promise.race([
        Promise.all(pending).then(() => 'drained' as const),
        deadline,
      ]);
      clearTimeout(timer);
      if (drained === 'timeout') {
        state = 'released';
        // Aborting ends the heartbeats, which would otherwise hide the handed-back messages again.
        for (const slot of slots) slot.consumer.stop({ abort: true });
        const given = [...inFlight.values()];
        // The handlers release their files' leases first: a message visible again while its
        // lease still runs would be taken for a duplicate by the next worker.
        for (const entry of given) entry.controller.abort(new Error('handed back at shutdown'));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(given.map((entry) => entry.handled)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, options.releaseWaitMs ?? DEFAULT_RELEASE_WAIT_MS);
          }),
        ]);
        clearTimeout(timer);
        await Promise.all(
          given.map((entry) => setVisibility(entry.message, MIN_VISIBILITY_SECONDS)),
        );
      } else {
        for (const slot of slots) slot.consumer.stop({ abort: true });
      }
    },
    kill() {
      state = 'killed';
      for (const slot of slots) slot.consumer.stop({ abort: true });
    },
  };
}
