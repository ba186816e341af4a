import { describe, expect, it } from 'vitest';
import { reconcileWebhooks } from '../../../../core/webhooks/reconcile-webhooks.ts';
import { endFile, notify, type WebhookPorts, webhookJob, webhookPorts } from './webhook-harness.ts';

const MINUTE = 60_000;
const SETTINGS = { graceMs: MINUTE, staleMs: 15 * MINUTE, maxJobs: 100 };

function reconcile(ports: WebhookPorts) {
  return reconcileWebhooks({
    repo: ports.repo,
    webhooks: ports.webhooks,
    queue: ports.hooks,
    clock: ports.clock,
    settings: SETTINGS,
  });
}

describe("the reconciler's webhook pass", () => {
  it('sends the event of a job whose last worker died between its verdict and the claim', async () => {
    const ports = webhookPorts();
    const jobId = await webhookJob(ports, 1);
    await endFile(ports, jobId, '0000');
    // No notify: the worker crashed right after writing the file's verdict.
    expect(ports.hooks.sent).toEqual([]);
    ports.clock.advance(2 * MINUTE);
    expect((await reconcile(ports)).claimed).toEqual([jobId]);
    expect(ports.hooks.sent).toEqual([{ v: 1, type: 'job.finished', jobId }]);
    // The claim holds: the next runs send nothing more, nor does a late notify.
    ports.clock.advance(2 * MINUTE);
    expect(await reconcile(ports)).toEqual({ claimed: [], resent: [], problems: [] });
    expect((await notify(ports, jobId, '0000')).jobEvent).toBe(false);
    expect(ports.hooks.sent).toHaveLength(1);
  });

  it('sends again an event claimed but never sent (a crash between the claim and the send)', async () => {
    const ports = webhookPorts();
    const jobId = await webhookJob(ports, 1);
    await endFile(ports, jobId, '0000');
    await ports.webhooks.claim(jobId, ports.clock.now());
    ports.clock.advance(10 * MINUTE);
    expect((await reconcile(ports)).resent).toEqual([]);
    ports.clock.advance(6 * MINUTE);
    expect((await reconcile(ports)).resent).toEqual([jobId]);
    expect(ports.hooks.sent).toEqual([{ v: 1, type: 'job.finished', jobId }]);
    // Touched by the re-send: not sent again on the next run.
    ports.clock.advance(2 * MINUTE);
    expect((await reconcile(ports)).resent).toEqual([]);
  });

  it('leaves unfinished jobs waiting and drops settled ones from its list', async () => {
    const ports = webhookPorts();
    const running = await webhookJob(ports, 2);
    await endFile(ports, running, '0000');
    const delivered = await webhookJob(ports, 1);
    await endFile(ports, delivered, '0000');
    await notify(ports, delivered, '0000');
    const now = ports.clock.now();
    await ports.webhooks.record(delivered, {
      state: 'delivered',
      claimedAt: now,
      updatedAt: now,
      attempts: 1,
      deliveredAt: now,
    });
    ports.hooks.sent.length = 0;
    ports.clock.advance(60 * MINUTE);
    expect(await reconcile(ports)).toEqual({ claimed: [], resent: [], problems: [] });
    expect(ports.hooks.sent).toEqual([]);
    expect(ports.webhooks.settled.has(delivered)).toBe(true);
    expect(ports.webhooks.settled.has(running)).toBe(false);
  });
});
