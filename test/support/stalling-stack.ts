/**
 * A local stack whose image processor never returns, for crash tests: run as
 * `node --import tsx test/support/stalling-stack.ts <data dir>`. Prints `ready <url> <key>` once
 * serving and `processing <file>` when a file reaches the processor; the test then kills it
 * (SIGKILL: no drain, no cleanup) as a crash or a power cut would.
 */
import { startLocalStack } from '../../local/local-stack.ts';
import { tinyModelPath, tinyModelSettings } from './tiny-model.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: stalling-stack.ts <data dir>');
await tinyModelPath();
const stack = await startLocalStack({
  port: 0,
  dataDir,
  workers: 1,
  models: tinyModelSettings(),
  video: false,
  env: process.env,
  // As the integration harness (local-stack-harness.ts): the restarted stack uses the same.
  queues: { image: { visibilityTimeoutSeconds: 4, maxReceiveCount: 3 } },
  worker: {
    waitTimeSeconds: 1,
    retryDelaySeconds: 1,
    drainMs: 1_000,
    progressIntervalMs: 100,
    processors: {
      image: (_input, _options, ctx) => {
        process.stdout.write(`processing ${ctx.fileName}\n`);
        return new Promise(() => undefined);
      },
    },
  },
});
process.stdout.write(`ready ${stack.url} ${stack.apiKey}\n`);
