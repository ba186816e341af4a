import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmfRecord } from '../../../../adapters/observability/metrics.ts';
import {
  createTaskProtection,
  reportProtectionFailure,
} from '../../../../containers/worker/task-protection.ts';
import { METRICS_NAMESPACE, TASK_METRIC_NAMES } from '../../../../core/config/metrics.ts';
import { recordingLog } from '../../../support/recording-log.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An ECS agent that refuses as it does when the task role lacks ecs:UpdateTaskProtection. */
async function denyingAgent(): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"Code":"AccessDeniedException","Message":"not authorized"}}');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

describe('a task protection failure', () => {
  it('is logged as an error and counted as TaskProtectionFailures', async () => {
    const { log, lines: logged } = recordingLog();
    const metrics: EmfRecord[] = [];
    const protection = createTaskProtection({
      agentUri: await denyingAgent(),
      onError: reportProtectionFailure(
        log,
        (r) => metrics.push(r),
        () => 1_700_000_000_000,
      ),
    });
    await protection.acquire();
    await protection.release();

    expect(logged.map((l) => `${l.level} ${l.msg}`)).toEqual([
      'error task-protection.failed',
      'error task-protection.failed',
    ]);
    const first = logged[0]?.fields as { error: string } | undefined;
    expect(String(first?.error)).toMatch(/400.*AccessDenied/);
    expect(metrics).toHaveLength(2);
    expect(metrics[0]).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [[]],
            Metrics: [{ Name: TASK_METRIC_NAMES.taskProtectionFailures, Unit: 'Count' }],
          },
        ],
      },
      TaskProtectionFailures: 1,
    });
  });
});
