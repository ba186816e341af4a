import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { MIN_VISIBILITY_SECONDS, type SetVisibility } from './message-visibility.ts';

/**
 * One sqs-consumer Consumer taking one message at a time, and the state the consumer's slots
 * share: where the consumer is in its life, and the messages being handled.
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

/** 'released': the drain deadline passed and in-flight messages were handed back. */
export type ConsumerPhase = 'running' | 'stopping' | 'released' | 'killed';

export interface InFlight {
  readonly message: Message;
  readonly controller: AbortController;
  /** Resolves when the handler has returned (or thrown). */
  readonly handled: Promise<void>;
}

/** What every slot of one consumer reads and writes. */
export interface ConsumerShared {
  phase: ConsumerPhase;
  readonly inFlight: Map<string, InFlight>;
  readonly setVisibility: SetVisibility;
  readonly onError: (error: Error, message: Message | undefined) => void;
}

export interface SlotSettings {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** How long a received message stays hidden, renewed by each heartbeat. */
  readonly visibilityTimeoutSeconds: number;
  /** Seconds between visibility extensions; below the visibility timeout. */
  readonly heartbeatSeconds: number;
  /** Long-poll wait, 0-20 s. */
  readonly waitTimeSeconds: number;
  /** A message whose handler asked for a retry is visible again after this long (at least 1 s). */
  readonly retryDelaySeconds: number;
  readonly handle: MessageHandler;
}

export interface Slot {
  readonly consumer: Consumer;
  busy: boolean;
  /** Set when a stop found the slot busy: it stops once its message is acknowledged or released. */
  stopWhenIdle: boolean;
  /** Resolves when the current message is fully settled (deleted, or its visibility changed). */
  settled: Promise<void>;
  settle: () => void;
}

/** In-flight messages are no longer this consumer's to acknowledge or hand back. */
function abandoned(shared: ConsumerShared): boolean {
  return shared.phase === 'killed' || shared.phase === 'released';
}

/** Starts one slot polling. */
export function startSlot(settings: SlotSettings, shared: ConsumerShared): Slot {
  const slot: Slot = {
    busy: false,
    stopWhenIdle: false,
    settled: Promise.resolve(),
    settle: () => undefined,
    consumer: Consumer.create({
      queueUrl: settings.queueUrl,
      sqs: settings.sqs,
      batchSize: 1,
      visibilityTimeout: settings.visibilityTimeoutSeconds,
      heartbeatInterval: settings.heartbeatSeconds,
      waitTimeSeconds: settings.waitTimeSeconds,
      // Only reached when this wrapper itself throws; the handler's own errors are outcomes.
      terminateVisibilityTimeout: settings.retryDelaySeconds,
      messageSystemAttributeNames: ['ApproximateReceiveCount'],
      strictReturn: true,
      handleMessage: (message) => handleInSlot(slot, message, settings, shared),
    }),
  };
  slot.consumer.on('error', (error, message) => {
    // Once stopping, errors are aborted long polls and heartbeats: how a stop works, not faults.
    if (shared.phase === 'running') {
      shared.onError(error, Array.isArray(message) ? message[0] : message);
    }
  });
  slot.consumer.on('processing_error', (error, message) => shared.onError(error, message));
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
}

/** Runs the handler on one message; returns the message to have it deleted. */
async function handleInSlot(
  slot: Slot,
  message: Message,
  settings: SlotSettings,
  shared: ConsumerShared,
): Promise<Message | undefined> {
  if (shared.phase !== 'running') {
    // Received by a poll that was already under way when the worker began to stop.
    if (shared.phase !== 'killed') await shared.setVisibility(message, MIN_VISIBILITY_SECONDS);
    return undefined;
  }
  slot.busy = true;
  slot.settled = new Promise<void>((resolve) => {
    slot.settle = resolve;
  });
  const id = message.MessageId ?? message.ReceiptHandle ?? String(shared.inFlight.size);
  const controller = new AbortController();
  const running = settings.handle(message, controller.signal);
  shared.inFlight.set(id, {
    message,
    controller,
    handled: running.then(
      () => undefined,
      () => undefined,
    ),
  });
  try {
    const outcome = await running;
    if (abandoned(shared)) return undefined;
    if (outcome === 'ack') return message;
    await shared.setVisibility(
      message,
      outcome === 'retry' ? settings.retryDelaySeconds : outcome.retryInSeconds,
    );
    return undefined;
  } finally {
    shared.inFlight.delete(id);
  }
}
