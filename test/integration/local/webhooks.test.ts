import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobRepository } from '../../../adapters/aws/dynamo-job-repository.ts';
import { DynamoWebhookSecrets } from '../../../adapters/aws/dynamo-webhook-secrets.ts';
import { DynamoWebhookStore } from '../../../adapters/aws/dynamo-webhook-store.ts';
import { S3ObjectStore } from '../../../adapters/aws/s3-object-store.ts';
import { CutoutClient } from '../../../client/src/index.ts';
import { createWebhookReceiver } from '../../../client/src/webhooks.ts';
import { hashApiKey, keyIdFor } from '../../../core/jobs/api-keys.ts';
import { createJob } from '../../../core/jobs/create-job.ts';
import { failUpdate } from '../../../core/jobs/transitions.ts';
import { checkSignature } from '../../../core/webhooks/webhook-signature.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';
import { samplePng, waitFor } from '../worker/worker-harness.ts';
import { results, startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * Webhooks end to end through the local stack: the API takes webhook_url, workers end the
 * files, the delivery handler (behind the local SQS event source) POSTs to a real receiver on
 * loopback, which the local stack's outbound guard allows by its explicit settings
 * (CUTOUT_OUTBOUND_ALLOW_HTTP, CUTOUT_OUTBOUND_ALLOW_CIDRS=127.0.0.1/32,...). Retries are one
 * second apart at first (then 4 s), three attempts in all, two seconds per attempt.
 */

let stack: LocalStack;
let receiver: WebhookReceiver;
let secret: string;
let png: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    webhooks: { maxAttempts: 3, retryBaseSeconds: 1, timeoutSeconds: 2, pollers: 4 },
    reconciler: { intervalMs: 0, webhookStaleSeconds: 1, webhookGraceSeconds: 1 },
  });
  const keyId = keyIdFor(hashApiKey(stack.apiKey));
  const secrets = new DynamoWebhookSecrets(
    stack.clients.dynamo,
    stack.emulators.resources.keysTable,
  );
  secret = (await secrets.secretFor(keyId)) ?? '';
  png = await samplePng();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

async function convert(fields: Record<string, string>, files = 1): Promise<string> {
  const form = new FormData();
  form.set('convert_to', 'image-backgroundremover');
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  for (let i = 0; i < files; i++)
    form.append('files', new Blob([png], { type: 'image/png' }), `p${i}.png`);
  const res = await fetch(`${stack.url}/v1/convert`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey },
    body: form,
  });
  const body = (await res.json()) as { uuid?: string; error?: string };
  if (res.status !== 200 || !body.uuid)
    throw new Error(`convert: ${res.status} ${JSON.stringify(body)}`);
  return body.uuid;
}

interface WebhookView {
  host: string;
  state: string;
  attempts: number;
  last_status?: number;
  last_error?: string;
}

const webhookOf = async (uuid: string) => (await results(stack, uuid)).webhook as WebhookView;

function untilWebhook(uuid: string, done: (w: WebhookView) => boolean, limitMs = 30_000) {
  return waitFor(
    () => webhookOf(uuid),
    (w) => w !== undefined && done(w),
    `webhook of ${uuid}`,
    limitMs,
  );
}

describe('webhooks through the local stack', () => {
  it('POSTs one signed job.finished event with the results body, and shows it delivered', async () => {
    const uuid = await convert({ webhook_url: `${receiver.origin}/ok` });
    const webhook = await untilWebhook(uuid, (w) => w.state === 'delivered');
    expect(webhook).toMatchObject({
      host: receiver.origin.slice(7),
      attempts: 1,
      last_status: 200,
    });
    const posts = receiver.postsTo('/ok');
    expect(posts).toHaveLength(1);
    const [post] = posts;
    const header = post?.headers['cutout-signature'];
    expect(
      checkSignature(secret, String(header), post?.body ?? '', 300, Date.now() / 1000).ok,
    ).toBe(true);
    expect(
      checkSignature('whsec_wrong', String(header), post?.body ?? '', 300, Date.now() / 1000).ok,
    ).toBe(false);
    const event = JSON.parse(post?.body ?? '{}');
    expect(event).toMatchObject({ type: 'job.finished', id: post?.headers['cutout-event-id'] });
    expect(event.data).toMatchObject({ uuid, finished: true, status: 'done' });
    expect(event.data.files).toHaveLength(1);
    expect(post?.headers['content-type']).toBe('application/json');
  });

  it("the client's wait({ webhook }) resolves on the event, not on its next poll", async () => {
    const hook = await createWebhookReceiver({ secret });
    try {
      const client = new CutoutClient({ baseUrl: stack.url, apiKey: stack.apiKey });
      const photo = new File([png], 'w.png', { type: 'image/png' });
      const { uuid } = await client.convert(
        { convert_to: 'image-backgroundremover', webhook_url: hook.url },
        [photo],
      );
      // Ten minutes between polls: only the webhook can end the wait within the test's timeout.
      const results = await client.wait(uuid, { webhook: hook, intervalMs: 600_000 });
      expect(results).toMatchObject({ uuid, finished: true, status: 'done' });
    } finally {
      await hook.close();
    }
  });

  it('retries a receiver that answers 500, then 200, with the same event id', async () => {
    receiver.script('/flaky', [500, 200]);
    const uuid = await convert({ webhook_url: `${receiver.origin}/flaky` });
    const webhook = await untilWebhook(uuid, (w) => w.state === 'delivered');
    expect(webhook).toMatchObject({ attempts: 2, last_status: 200 });
    const posts = receiver.postsTo('/flaky');
    expect(posts.map((p) => p.headers['cutout-delivery-attempt'])).toEqual(['1', '2']);
    expect(new Set(posts.map((p) => p.headers['cutout-event-id'])).size).toBe(1);
  });

  it("a receiver that never answers delays neither its job nor other jobs' webhooks", async () => {
    receiver.script('/hang', ['hang']);
    const slow = await convert({ webhook_url: `${receiver.origin}/hang` });
    const other = await convert({ webhook_url: `${receiver.origin}/other` });
    const done = await waitFinished(stack, slow);
    expect(done.status).toBe('done');
    await untilWebhook(other, (w) => w.state === 'delivered');
    const slowHook = await untilWebhook(slow, (w) => w.state === 'retrying');
    expect(slowHook.last_error).toMatch(/no complete answer within 2000 ms/);
  });

  it('gives up after the last attempt: state failed, the event in the dead-letter queue', async () => {
    receiver.script('/down', [503]);
    const uuid = await convert({ webhook_url: `${receiver.origin}/down` });
    const webhook = await untilWebhook(uuid, (w) => w.state === 'failed');
    expect(webhook).toMatchObject({ attempts: 3, last_status: 503 });
    expect(receiver.postsTo('/down')).toHaveLength(3);
    const dead = await waitFor(
      async () =>
        (
          await stack.clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: stack.emulators.resources.webhookDeadLetterQueueUrl,
              WaitTimeSeconds: 1,
              MaxNumberOfMessages: 10,
            }),
          )
        ).Messages ?? [],
      (messages) => messages.some((m) => JSON.parse(m.Body ?? '{}').jobId === uuid),
      'the dead letter',
    );
    expect(dead.find((m) => JSON.parse(m.Body ?? '{}').jobId === uuid)?.Body).toBe(
      JSON.stringify({ v: 1, type: 'job.finished', jobId: uuid }),
    );
  });

  it('sends a file.finished event per file before the job.finished one', async () => {
    const uuid = await convert(
      { webhook_url: `${receiver.origin}/files`, webhook_events: 'job.finished,file.finished' },
      2,
    );
    await untilWebhook(uuid, (w) => w.state === 'delivered');
    const events = await waitFor(
      async () => receiver.postsTo('/files').map((p) => JSON.parse(p.body)),
      (list) => list.length >= 3,
      'three events',
    );
    const files = events.filter((e) => e.type === 'file.finished');
    expect(files.map((e) => e.file).sort()).toEqual(['p0.png', 'p1.png']);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events.filter((e) => e.type === 'job.finished')).toHaveLength(1);
  });

  it('refuses private and metadata addresses: the webhook fails with the reason, the job is done', async () => {
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data/']) {
      const uuid = await convert({ webhook_url: url });
      const webhook = await untilWebhook(uuid, (w) => w.state === 'failed');
      expect(webhook.attempts).toBe(1);
      expect(webhook.last_error).toMatch(/address/);
      expect((await results(stack, uuid)).status).toBe('done');
    }
  });

  it('answers 400 naming the field for a bad webhook_url or webhook_events', async () => {
    for (const [fields, field] of [
      [{ webhook_url: 'not-a-url' }, 'webhook_url'],
      [{ webhook_url: `${receiver.origin}/x`, webhook_events: 'job.paid' }, 'webhook_events'],
    ] as const) {
      const form = new FormData();
      form.set('convert_to', 'image-backgroundremover');
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      form.append('files', new Blob([png], { type: 'image/png' }), 'p.png');
      const res = await fetch(`${stack.url}/v1/convert`, {
        method: 'POST',
        headers: { Authorization: stack.apiKey },
        body: form,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(new RegExp(`^${field}:`));
    }
  });

  it('the reconciler sends the event of a job whose last file ended without the worker reporting it', async () => {
    const { resources } = stack.emulators;
    const repo = new DynamoJobRepository(stack.clients.dynamo, resources.jobsTable);
    const { uuid } = await createJob(
      {
        apiKeyId: keyIdFor(hashApiKey(stack.apiKey)),
        fields: { convert_to: 'image-backgroundremover', webhook_url: `${receiver.origin}/late` },
        files: [{ field: 'files', filename: 'lost.png', contentType: 'image/png', data: png }],
      },
      {
        repo,
        inputs: new S3ObjectStore(stack.clients.s3, stack.clients.s3Presign, resources.inputBucket),
        // The file's message is lost: no worker will ever end it or report it.
        queue: { send: async () => undefined },
        // The receiver is plain http on loopback, as the local stack allows.
        imageUrlRules: { allowHttp: true },
      },
    );
    // Ended as by a worker that died right after writing the verdict.
    const ended = await repo.updateFile(
      failUpdate({ jobId: uuid, fileId: '0000' }, 'lost.png: gone', Date.now()),
    );
    expect(ended?.status).toBe('failed');
    expect(receiver.postsTo('/late')).toHaveLength(0);
    const report = await waitFor(
      () => stack.reconcile(),
      (r) => (r.webhooks?.claimed ?? []).includes(uuid),
      'a reconciler run that claims the job',
      15_000,
    );
    expect(report.webhooks?.problems).toEqual([]);
    const webhook = await untilWebhook(uuid, (w) => w.state === 'delivered');
    expect(webhook.attempts).toBe(1);
    expect(receiver.postsTo('/late')).toHaveLength(1);
  });

  it('of many concurrent claims on one job item exactly one wins (conditional write)', async () => {
    const uuid = await convert({ webhook_url: `${receiver.origin}/claims` });
    await untilWebhook(uuid, (w) => w.state === 'delivered');
    const { resources } = stack.emulators;
    const other = await createJob(
      {
        apiKeyId: undefined,
        fields: { convert_to: 'image-backgroundremover', webhook_url: `${receiver.origin}/claims` },
        files: [{ field: 'files', filename: 'c.png', contentType: 'image/png', data: png }],
      },
      {
        repo: new DynamoJobRepository(stack.clients.dynamo, resources.jobsTable),
        inputs: new S3ObjectStore(stack.clients.s3, stack.clients.s3Presign, resources.inputBucket),
        queue: { send: async () => undefined },
        imageUrlRules: { allowHttp: true },
      },
    );
    const store = new DynamoWebhookStore(stack.clients.dynamo, resources.jobsTable);
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => store.claim(other.uuid, Date.now())),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });
});
