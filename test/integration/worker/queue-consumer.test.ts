import {
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type MessageHandler,
  type QueueConsumer,
  startQueueConsumer,
} from '../../../containers/worker/queue-consumer.ts';

let server: FauxqsServer;
let sqs: SQSClient;
let queueUrl: string;
let queueName: string;
let counter = 0;
const consumers: QueueConsumer[] = [];

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${server.port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  for (const c of consumers) c.kill();
  sqs.destroy();
  await server.stop();
});

beforeEach(() => {
  counter += 1;
  queueName = `consumer-test-${counter}`;
  queueUrl = server.createQueue(queueName, { attributes: { VisibilityTimeout: '2' } }).queueUrl;
});

function consume(
  handle: MessageHandler,
  overrides: { visibility?: number; concurrency?: number } = {},
): QueueConsumer {
  const consumer = startQueueConsumer({
    sqs,
    queueUrl,
    concurrency: overrides.concurrency ?? 1,
    visibilityTimeoutSeconds: overrides.visibility ?? 2,
    heartbeatSeconds: 1,
    waitTimeSeconds: 1,
    retryDelaySeconds: 1,
    releaseWaitMs: 1_000,
    handle,
  });
  consumers.push(consumer);
  return consumer;
}

async function send(body: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

function messagesLeft(): number {
  const q = server.inspectQueue(queueName);
  if (!q) throw new Error('queue missing');
  return q.messages.ready.length + q.messages.inflight.length + q.messages.delayed.length;
}

async function until(check: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('queue consumer (sqs-consumer against fauxqs)', () => {
  it('keeps a message hidden past its visibility timeout while the handler runs (heartbeat)', async () => {
    const seen: string[] = [];
    consume(async (m: Message) => {
      seen.push(m.Body ?? '');
      // Twice the 2 s visibility timeout: only the heartbeat keeps it from reappearing.
      await new Promise((r) => setTimeout(r, 4_500));
      return 'ack';
    });
    await send('long');
    await until(() => seen.length === 1, 'the first delivery');
    await new Promise((r) => setTimeout(r, 3_000));
    const peek = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0, VisibilityTimeout: 0 }),
    );
    expect(peek.Messages ?? []).toHaveLength(0);
    await until(() => messagesLeft() === 0, 'the acknowledgement');
    expect(seen).toEqual(['long']);
  });

  it('stop() finishes and acknowledges the in-flight message, then takes no more', async () => {
    const g = gate();
    const seen: string[] = [];
    const consumer = consume(async (m) => {
      seen.push(m.Body ?? '');
      await g.wait;
      return 'ack';
    });
    await send('first');
    await until(() => seen.length === 1, 'the first delivery');
    const stopped = consumer.stop(10_000);
    setTimeout(g.open, 300);
    await stopped;
    expect(consumer.inFlight).toBe(0);
    expect(messagesLeft()).toBe(0);
    await send('after-stop');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seen).toEqual(['first']);
    expect(messagesLeft()).toBe(1);
  });

  it('stop() hands a message back (visible within a second) when it cannot finish before the deadline', async () => {
    const g = gate();
    let deliveries = 0;
    const consumer = consume(
      async () => {
        deliveries += 1;
        await g.wait;
        return 'ack';
      },
      { visibility: 30 },
    );
    await send('slow');
    await until(() => deliveries === 1, 'the first delivery');
    await consumer.stop(200);
    // Visibility was 30 s; the hand-back makes it receivable a second later.
    const again = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 3,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(again.Messages?.[0]?.Body).toBe('slow');
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    g.open();
  });

  it('stop() aborts an unfinished handler and waits for it to release its file before handing back', async () => {
    let deliveries = 0;
    let released = false;
    const consumer = consume(
      (_message, signal) => {
        deliveries += 1;
        return new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            // The lease release is a write of its own; the hand-back must come after it.
            setTimeout(() => {
              released = true;
              resolve('retry');
            }, 300);
          });
        });
      },
      { visibility: 30 },
    );
    await send('leased');
    await until(() => deliveries === 1, 'the first delivery');
    await consumer.stop(200);
    expect(released).toBe(true);
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 3 }),
    );
    expect(again.Messages?.[0]?.Body).toBe('leased');
  });

  it('after kill() the message comes back once its visibility runs out and another consumer finishes it', async () => {
    let firstCalls = 0;
    const first = consume(async () => {
      firstCalls += 1;
      await new Promise(() => undefined);
      return 'ack';
    });
    await send('crash');
    await until(() => firstCalls === 1, 'the first delivery');
    first.kill();
    const bodies: string[] = [];
    consume(async (m) => {
      bodies.push(m.Body ?? '');
      return 'ack';
    });
    await until(() => messagesLeft() === 0, 'the redelivered message to be acknowledged');
    expect(firstCalls).toBe(1);
    expect(bodies).toEqual(['crash']);
  });

  it('a retry outcome makes the message visible again after the retry delay', async () => {
    let calls = 0;
    consume(
      async () => {
        calls += 1;
        return calls === 1 ? 'retry' : 'ack';
      },
      { visibility: 60 },
    );
    await send('flaky');
    await until(() => messagesLeft() === 0, 'the second attempt to acknowledge');
    expect(calls).toBe(2);
  });

  it('runs up to `concurrency` messages at once', async () => {
    const g = gate();
    let running = 0;
    let most = 0;
    const consumer = consume(
      async () => {
        running += 1;
        most = Math.max(most, running);
        await g.wait;
        running -= 1;
        return 'ack';
      },
      { concurrency: 3, visibility: 30 },
    );
    for (const body of ['a', 'b', 'c', 'd', 'e']) await send(body);
    await until(() => consumer.inFlight === 3, 'three messages in flight');
    await new Promise((r) => setTimeout(r, 500));
    expect(consumer.inFlight).toBe(3);
    g.open();
    await until(() => messagesLeft() === 0, 'all five to be acknowledged');
    expect(most).toBe(3);
  });
});
