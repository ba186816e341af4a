import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { getResults } from '../../../../core/jobs/get-results.ts';
import { deliverWebhook } from '../../../../core/webhooks/deliver-webhook.ts';
import type { WebhookPost } from '../../../../core/webhooks/ports.ts';
import { jobFinishedMessage } from '../../../../core/webhooks/webhook-message.ts';
import { checkSignature } from '../../../../core/webhooks/webhook-signature.ts';
import { endFile, notify, type WebhookPorts, webhookJob, webhookPorts } from './webhook-harness.ts';

const RETRY = { maxAttempts: 3, retryBaseSeconds: 10 };

function receiver(answers: (number | Error)[]) {
  const posts: WebhookPost[] = [];
  const send = async (post: WebhookPost) => {
    posts.push(post);
    const next = answers.shift() ?? 200;
    if (next instanceof Error) throw next;
    return { status: next };
  };
  return { posts, send };
}

async function finishedJob(ports: WebhookPorts) {
  const jobId = await webhookJob(ports, 1);
  await endFile(ports, jobId, '0000');
  await notify(ports, jobId, '0000');
  return jobId;
}

function deliver(
  ports: WebhookPorts,
  jobId: string,
  attempt: number,
  send: ReturnType<typeof receiver>['send'],
) {
  return deliverWebhook(jobFinishedMessage(jobId), attempt, {
    repo: ports.repo,
    outputs: ports.outputs,
    webhooks: ports.webhooks,
    secrets: ports.secrets,
    send,
    clock: ports.clock,
    retry: RETRY,
  });
}

describe('webhook delivery', () => {
  it('POSTs the signed results body and records the delivery', async () => {
    const ports = webhookPorts();
    const jobId = await finishedJob(ports);
    const { posts, send } = receiver([204]);
    expect(await deliver(ports, jobId, 1, send)).toEqual({ outcome: 'delivered', status: 204 });

    const [post] = posts;
    expect(post?.url).toBe('https://receiver.example/hook');
    const nowS = Math.floor(ports.clock.now() / 1000);
    expect(
      checkSignature('whsec_unit', post?.headers['Cutout-Signature'], post?.body ?? '', 300, nowS)
        .ok,
    ).toBe(true);
    const event = JSON.parse(post?.body ?? '{}');
    expect(event).toMatchObject({ type: 'job.finished', id: post?.headers['Cutout-Event-Id'] });
    expect(event.id).toMatch(/^evt_[0-9a-f]{32}$/);
    const results = await getResults(jobId, {
      repo: ports.repo,
      outputs: ports.outputs,
      clock: ports.clock,
    });
    const { webhook, ...withoutWebhook } = results;
    expect(webhook?.state).toBe('delivered');
    expect(event.data).toEqual({ ...withoutWebhook, finished: true });
    expect(results.webhook).toMatchObject({
      host: 'receiver.example',
      attempts: 1,
      last_status: 204,
    });
  });

  it('retries a failing receiver on the schedule with the same event id, then gives up', async () => {
    const ports = webhookPorts();
    const jobId = await finishedJob(ports);
    const timeout = new CutoutError(
      'OUTBOUND_TIMEOUT',
      'receiver.example: no complete answer within 10000 ms',
      { subject: null },
    );
    const { posts, send } = receiver([500, timeout, 502]);
    expect(await deliver(ports, jobId, 1, send)).toMatchObject({
      outcome: 'retry',
      delaySeconds: 10,
    });
    const results = () =>
      getResults(jobId, { repo: ports.repo, outputs: ports.outputs, clock: ports.clock });
    expect((await results()).webhook).toMatchObject({
      state: 'retrying',
      attempts: 1,
      last_status: 500,
    });
    expect(await deliver(ports, jobId, 2, send)).toMatchObject({
      outcome: 'retry',
      delaySeconds: 40,
    });
    expect((await results()).webhook?.last_error).toMatch(/no complete answer/);
    expect(await deliver(ports, jobId, 3, send)).toMatchObject({ outcome: 'gave-up' });
    expect((await results()).webhook).toMatchObject({
      state: 'failed',
      attempts: 3,
      last_status: 502,
    });
    expect(new Set(posts.map((p) => p.headers['Cutout-Event-Id'])).size).toBe(1);
    // Settled: a duplicate message delivers nothing more.
    expect((await deliver(ports, jobId, 1, send)).outcome).toBe('dropped');
    expect(posts).toHaveLength(3);
  });

  it('retries a receiver that answers a redirect, saying it was not followed', async () => {
    const ports = webhookPorts();
    const jobId = await finishedJob(ports);
    const { send } = receiver([301]);
    expect(await deliver(ports, jobId, 1, send)).toMatchObject({ outcome: 'retry' });
    const results = await getResults(jobId, {
      repo: ports.repo,
      outputs: ports.outputs,
      clock: ports.clock,
    });
    expect(results.webhook).toMatchObject({
      state: 'retrying',
      last_status: 301,
      last_error: 'the receiver answered HTTP 301, a redirect; redirects are not followed',
    });
  });

  it('fails at once, without retries, for an address the outbound guard refuses', async () => {
    const ports = webhookPorts();
    const jobId = await finishedJob(ports);
    const refused = new CutoutError('OUTBOUND_REFUSED', '10.0.0.1 is a private address', {
      subject: null,
    });
    const { send } = receiver([refused]);
    expect(await deliver(ports, jobId, 1, send)).toEqual({
      outcome: 'refused',
      reason: '10.0.0.1 is a private address',
    });
    const results = await getResults(jobId, {
      repo: ports.repo,
      outputs: ports.outputs,
      clock: ports.clock,
    });
    expect(results.webhook).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error: '10.0.0.1 is a private address',
    });
    expect(results.status).toBe('done');
  });
});
