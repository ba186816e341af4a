import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { EmfRecord } from '../../../../adapters/observability/metrics.ts';
import { createMessageHandler } from '../../../../containers/worker/handle-message.ts';
import type { TaskProtection } from '../../../../containers/worker/task-protection.ts';
import { CutoutError } from '../../../../core/errors.ts';
import type { JobMessage } from '../../../../core/jobs/job-message.ts';
import type { ProcessFileOptions, ProcessFileOutcome } from '../../../../core/jobs/process-file.ts';
import { recordingLog } from '../../../support/recording-log.ts';

const JOB: JobMessage = {
  v: 1,
  jobId: '6f1c1a4e-8d0b-4b5e-9a51-3b0c6f3f2d10',
  fileId: '0000',
  kind: 'image',
};

const NO_SIGNAL = new AbortController().signal;

function message(body: string): Message {
  return {
    MessageId: 'm-1',
    ReceiptHandle: 'r-1',
    Body: body,
    Attributes: { ApproximateReceiveCount: '2' },
  };
}

function recorder() {
  const { log, lines } = recordingLog();
  const records: EmfRecord[] = [];
  const metrics = (record: EmfRecord) => {
    records.push(record);
  };
  let held = 0;
  let maxHeld = 0;
  const protection: TaskProtection = {
    acquire: async () => {
      held += 1;
      maxHeld = Math.max(maxHeld, held);
    },
    release: async () => {
      held -= 1;
    },
    close: async () => undefined,
  };
  return { lines, log, metrics, records, protection, held: () => held, maxHeld: () => maxHeld };
}

describe('worker message handling', () => {
  it('hands processFile the consumer abort signal (hand-back) and the receive count', async () => {
    const r = recorder();
    const handBack = new AbortController();
    let received: ProcessFileOptions | undefined;
    const handle = createMessageHandler({
      log: r.log,
      metrics: r.metrics,
      protection: r.protection,
      process: async (_job, options): Promise<ProcessFileOutcome> => {
        received = options;
        return { outcome: 'skipped', reason: 'another worker holds the file' };
      },
    });
    await expect(handle(message(JSON.stringify(JOB)), handBack.signal)).resolves.toBe('ack');
    expect(received?.signal).toBe(handBack.signal);
    expect(received?.receiveCount).toBe(2);
    expect(r.records).toHaveLength(0);
  });

  it('hides a held redelivery until the holder lease can have ended, without a metrics record', async () => {
    const r = recorder();
    const handle = createMessageHandler({
      log: r.log,
      metrics: r.metrics,
      protection: r.protection,
      process: async (): Promise<ProcessFileOutcome> => ({
        outcome: 'held',
        reason: 'another worker holds the file until 2026-01-01T00:01:00.000Z',
        retryInSeconds: 61,
      }),
    });
    await expect(handle(message(JSON.stringify(JOB)), NO_SIGNAL)).resolves.toEqual({
      retryInSeconds: 61,
    });
    expect(r.lines[0]).toMatchObject({ level: 'info', msg: 'file.held' });
    expect(r.records).toHaveLength(0);
    expect(r.held()).toBe(0);
  });

  it('acknowledges a finished file and holds task protection only while it runs', async () => {
    const r = recorder();
    const seen: JobMessage[] = [];
    const handle = createMessageHandler({
      log: r.log,
      metrics: r.metrics,
      protection: r.protection,
      process: async (job): Promise<ProcessFileOutcome> => {
        seen.push(job);
        expect(r.held()).toBe(1);
        return { outcome: 'done', outputKey: 'jobs/x/a.png', modelId: 'tiny' };
      },
    });
    await expect(handle(message(JSON.stringify(JOB)), NO_SIGNAL)).resolves.toBe('ack');
    expect(seen).toEqual([JOB]);
    expect(r.held()).toBe(0);
    expect(r.lines[0]).toMatchObject({
      msg: 'file.done',
      fields: { receiveCount: 2, modelId: 'tiny' },
    });
    expect(r.records).toHaveLength(1);
    expect(r.records[0]).toMatchObject({ Kind: 'image', Model: 'tiny', FilesSucceeded: 1 });
  });

  it('acknowledges a file that failed for good (bad input) and logs the reason', async () => {
    const r = recorder();
    const handle = createMessageHandler({
      log: r.log,
      metrics: r.metrics,
      protection: r.protection,
      process: async () => ({
        outcome: 'failed',
        code: 'DECODE_FAILED',
        error: 'a.png: not an image',
      }),
    });
    await expect(handle(message(JSON.stringify(JOB)), NO_SIGNAL)).resolves.toBe('ack');
    expect(r.lines[0]).toMatchObject({ msg: 'file.failed', fields: { code: 'DECODE_FAILED' } });
    expect(r.records).toHaveLength(1);
    expect(r.records[0]).toMatchObject({ Kind: 'image', FilesSucceeded: 0, FilesFailed: 1 });
  });

  it('leaves the message for redelivery when processing throws, releasing protection', async () => {
    const r = recorder();
    const handle = createMessageHandler({
      log: r.log,
      metrics: r.metrics,
      protection: r.protection,
      process: async () => {
        throw new CutoutError('MODEL_UNAVAILABLE', 'session failed');
      },
    });
    await expect(handle(message(JSON.stringify(JOB)), NO_SIGNAL)).resolves.toBe('retry');
    expect(r.held()).toBe(0);
    expect(r.lines[0]).toMatchObject({
      level: 'warn',
      msg: 'file.retry',
      fields: { code: 'MODEL_UNAVAILABLE' },
    });
    // A retry is not an outcome yet: the dead-letter path counts it if it never succeeds.
    expect(r.records).toEqual([]);
  });

  it('acknowledges (drops) a body that is not a job message, without processing', async () => {
    const r = recorder();
    let called = false;
    const handle = createMessageHandler({
      log: r.log,
      metrics: r.metrics,
      protection: r.protection,
      process: async () => {
        called = true;
        return { outcome: 'skipped', reason: '' };
      },
    });
    await expect(handle(message('{"v":1,"jobId":"nope"}'), NO_SIGNAL)).resolves.toBe('ack');
    await expect(handle(message('not json'), NO_SIGNAL)).resolves.toBe('ack');
    expect(called).toBe(false);
    expect(r.maxHeld()).toBe(0);
    expect(r.lines.map((l) => l.msg)).toEqual(['message.rejected', 'message.rejected']);
    expect(r.records).toEqual([]);
  });

  it('emits no metrics for a skipped duplicate, one record per finished file otherwise', async () => {
    const r = recorder();
    const outcomes: ProcessFileOutcome[] = [
      { outcome: 'skipped', reason: 'file is already done' },
      { outcome: 'done', outputKey: 'jobs/x/a.mov', modelId: 'isnet-imgly' },
      { outcome: 'failed', code: 'DECODE_FAILED', error: 'b.mp4: bad', modelId: 'isnet' },
    ];
    const handle = createMessageHandler({
      log: r.log,
      metrics: r.metrics,
      protection: r.protection,
      process: async () => {
        const next = outcomes.shift();
        if (!next) throw new Error('no more outcomes');
        return next;
      },
    });
    const video = JSON.stringify({ ...JOB, kind: 'video' });
    for (let i = 0; i < 3; i += 1)
      await expect(handle(message(video), NO_SIGNAL)).resolves.toBe('ack');
    expect(r.lines.map((l) => l.msg)).toEqual(['file.skipped', 'file.done', 'file.failed']);
    expect(r.records.map((m) => [m.Kind, m.Model, m.FilesSucceeded, m.FilesFailed])).toEqual([
      ['video', 'isnet-imgly', 1, 0],
      ['video', 'isnet', 0, 1],
    ]);
  });
});
