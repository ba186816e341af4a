import { silentLog } from '../../../adapters/observability/log.ts';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../../local/local-stack.ts';
import { tinyModelSettings } from '../worker/worker-harness.ts';

/**
 * A local stack as `npm start` runs it (emulators, the Lambda handlers behind the local API
 * Gateway, in-process workers), with the generated tiny model serving every model name and
 * short queue timings so redeliveries happen in seconds.
 */
export async function startTestStack(
  overrides: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    workers: 2,
    models: await tinyModelSettings(),
    warmupModel: 'u2net',
    video: false,
    env: process.env,
    queues: { image: { visibilityTimeoutSeconds: 4, maxReceiveCount: 3 } },
    worker: { waitTimeSeconds: 1, retryDelaySeconds: 1, drainMs: 5_000, progressIntervalMs: 100 },
    log: silentLog,
    ...overrides,
  });
}

export interface ResultsReply {
  readonly files: { url: string; filename: string; download_url?: string }[];
  readonly failed: { filename: string; error: string }[];
  readonly finished: boolean;
  readonly queue_count: number;
  readonly errors: string[];
  readonly [extra: string]: unknown;
}

export async function results(stack: LocalStack, uuid: string): Promise<ResultsReply> {
  const res = await fetch(`${stack.url}/v1/results/`, {
    method: 'POST',
    body: new URLSearchParams({ uuid }),
  });
  if (res.status !== 200)
    throw new Error(`results ${uuid}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as ResultsReply;
}

export async function waitFinished(
  stack: LocalStack,
  uuid: string,
  limitMs = 30_000,
): Promise<ResultsReply> {
  const end = Date.now() + limitMs;
  for (;;) {
    const reply = await results(stack, uuid);
    if (reply.finished) return reply;
    if (Date.now() > end) throw new Error(`job ${uuid} not finished: ${JSON.stringify(reply)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
