import { describe, expect, it } from 'vitest';
import { endFile, notify, webhookJob, webhookPorts } from './webhook-harness.ts';

describe('the job.finished trigger', () => {
  it('fires once the last file has ended, not before', async () => {
    const ports = webhookPorts();
    const jobId = await webhookJob(ports, 2);
    await endFile(ports, jobId, '0000');
    expect(await notify(ports, jobId, '0000')).toEqual({ fileEvent: false, jobEvent: false });
    expect(ports.hooks.sent).toEqual([]);
    await endFile(ports, jobId, '0001', 'failed');
    expect(await notify(ports, jobId, '0001')).toEqual({ fileEvent: false, jobEvent: true });
    expect(ports.hooks.sent).toEqual([{ v: 1, type: 'job.finished', jobId }]);
    expect(ports.repo.jobs.get(jobId)?.webhookState?.state).toBe('queued');
  });

  it('enqueues exactly once when two workers end the last two files at the same time', async () => {
    const ports = webhookPorts();
    const jobId = await webhookJob(ports, 2);
    // Both verdicts are written before either worker reads the job back: both see it finished.
    await Promise.all([endFile(ports, jobId, '0000'), endFile(ports, jobId, '0001')]);
    const outcomes = await Promise.all([
      notify(ports, jobId, '0000'),
      notify(ports, jobId, '0001'),
      // A redelivered message's worker, and the dead-letter handler, may ask as well.
      notify(ports, jobId, '0001'),
    ]);
    expect(outcomes.filter((o) => o.jobEvent)).toHaveLength(1);
    expect(ports.hooks.sent.filter((m) => m.type === 'job.finished')).toHaveLength(1);
    expect(ports.webhooks.claims).toBe(1);
  });

  it('sends a file.finished event per ended file when asked, and nothing for jobs without a webhook', async () => {
    const ports = webhookPorts();
    const jobId = await webhookJob(ports, 2, 'job.finished,file.finished');
    await endFile(ports, jobId, '0000');
    await notify(ports, jobId, '0000');
    await endFile(ports, jobId, '0001');
    await notify(ports, jobId, '0001');
    expect(ports.hooks.sent.map((m) => `${m.type}:${m.fileId ?? '-'}`)).toEqual([
      'file.finished:0000',
      'file.finished:0001',
      'job.finished:-',
    ]);

    const only = await webhookJob(ports, 1, 'file.finished');
    await endFile(ports, only, '0000');
    expect(await notify(ports, only, '0000')).toEqual({ fileEvent: true, jobEvent: false });
    expect(ports.repo.jobs.get(only)?.webhookState).toBeUndefined();
  });
});
