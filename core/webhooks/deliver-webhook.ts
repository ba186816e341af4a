import { CutoutError, toCutoutError } from '../errors.ts';
import { getResults } from '../jobs/get-results.ts';
import type { FileRecord, JobRecord } from '../jobs/job.ts';
import { type Clock, type JobRepository, type ObjectStore, systemClock } from '../jobs/ports.ts';
import type { WebhookSecrets, WebhookSender, WebhookStore } from './ports.ts';
import { type RetrySettings, retryDelaySeconds, WEBHOOK_RETRY_DEFAULTS } from './retry-schedule.ts';
import { type WebhookMessage, webhookEventId } from './webhook-message.ts';
import { isFinalState, type WebhookState } from './webhook-model.ts';
import {
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
} from './webhook-signature.ts';

export interface DeliverWebhookDeps {
  readonly repo: JobRepository;
  readonly outputs: ObjectStore;
  readonly webhooks: WebhookStore;
  readonly secrets: WebhookSecrets;
  readonly send: WebhookSender;
  readonly clock?: Clock;
  readonly retry?: Partial<RetrySettings>;
  /** Lifetime of the event's `download_url`s. */
  readonly urlSeconds?: number;
}

export type DeliveryVerdict =
  | { readonly outcome: 'delivered'; readonly status: number }
  /** Hide the message this long, then it is attempt n + 1. */
  | { readonly outcome: 'retry'; readonly delaySeconds: number; readonly reason: string }
  /** The last attempt failed: the message goes on to the dead-letter queue. */
  | { readonly outcome: 'gave-up'; readonly reason: string }
  /** The outbound guard will not call this address: failed at once, no retry changes that. */
  | { readonly outcome: 'refused'; readonly reason: string }
  /** Nothing to deliver (job gone or expired, no webhook, event already settled). */
  | { readonly outcome: 'dropped'; readonly reason: string };

/** What a receiver gets: the event's identity around the job's `/v1/results` body. */
export interface WebhookEvent {
  readonly id: string;
  readonly type: WebhookMessage['type'];
  /** Unix seconds the event happened (the job's or the file's end). */
  readonly created: number;
  /** file.finished: the output name of the file that ended. */
  readonly file?: string;
  readonly data: Record<string, unknown>;
}

export const USER_AGENT = 'cutout-webhooks/1';

/**
 * One delivery attempt of one event (`attempt` counts from 1: the queue's receive count).
 *
 * 1. Load the job; drop the message when the job is gone, has no webhook, or its event is
 *    already settled (a duplicate from the reconciler).
 * 2. Build the event from the job's results now, sign `<t>.<body>` with the key's secret.
 * 3. POST it through the outbound guard: 2xx is delivered; anything else, a timeout or a
 *    connection error is retried on the schedule (retry-schedule.ts) until the last attempt,
 *    which gives up (dead-letter queue); a refused address fails at once.
 * 4. job.finished events write each outcome to the job's state, shown in `/v1/results`.
 */
export async function deliverWebhook(
  message: WebhookMessage,
  attempt: number,
  deps: DeliverWebhookDeps,
): Promise<DeliveryVerdict> {
  const clock = deps.clock ?? systemClock;
  const retry = { ...WEBHOOK_RETRY_DEFAULTS, ...deps.retry };
  const found = await deps.repo.getJob(message.jobId);
  const now = clock.now();
  if (!found || found.job.expiresAt * 1000 < now) return dropped('the job is gone');
  const { job, files } = found;
  if (!job.webhook) return dropped('the job has no webhook');
  const tracked = message.type === 'job.finished';
  if (tracked && isFinalState(job.webhookState)) {
    return dropped(`its event is already ${job.webhookState?.state}`);
  }
  const file = message.fileId ? files.find((f) => f.fileId === message.fileId) : undefined;
  if (message.type === 'file.finished' && !file) return dropped('no such file');

  const record = async (change: Partial<WebhookState> & Pick<WebhookState, 'state'>) => {
    if (!tracked) return;
    const previous = job.webhookState;
    await deps.webhooks.record(job.jobId, {
      claimedAt: previous?.claimedAt ?? now,
      ...change,
      attempts: Math.max(attempt, previous?.attempts ?? 0),
      updatedAt: clock.now(),
    });
  };

  const secret = job.apiKeyId ? await deps.secrets.secretFor(job.apiKeyId) : undefined;
  if (!secret) {
    const reason = 'no signing secret: the job was not made with an API key that still exists';
    await record({ state: 'failed', lastError: reason });
    return { outcome: 'refused', reason };
  }

  const event = await buildEvent(message, job, file, deps, now);
  const body = JSON.stringify(event);
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    [SIGNATURE_HEADER]: signatureHeader(secret, Math.floor(clock.now() / 1000), body),
    [EVENT_ID_HEADER]: event.id,
    [EVENT_TYPE_HEADER]: event.type,
    'Cutout-Delivery-Attempt': String(attempt),
  };

  let status: number | undefined;
  let reason: string;
  try {
    status = (await deps.send({ url: job.webhook.url, headers, body })).status;
    if (status >= 200 && status < 300) {
      await record({ state: 'delivered', lastStatus: status, deliveredAt: clock.now() });
      return { outcome: 'delivered', status };
    }
    reason =
      status >= 300 && status < 400
        ? `the receiver answered HTTP ${status}, a redirect; redirects are not followed`
        : `the receiver answered HTTP ${status}`;
  } catch (thrown) {
    const error = toCutoutError(thrown);
    if (error.code === 'OUTBOUND_REFUSED') {
      await record({ state: 'failed', lastError: error.message });
      return { outcome: 'refused', reason: error.message };
    }
    // An unexpected error's text may hold internals: the state says only that the call failed.
    reason = error.code === 'INTERNAL' ? 'the request failed' : error.message;
  }
  const last = { ...(status === undefined ? {} : { lastStatus: status }), lastError: reason };
  if (attempt >= retry.maxAttempts) {
    await record({ state: 'failed', ...last });
    return { outcome: 'gave-up', reason };
  }
  const delaySeconds = retryDelaySeconds(attempt, retry);
  await record({ state: 'retrying', ...last, nextAttemptAt: clock.now() + delaySeconds * 1000 });
  return { outcome: 'retry', delaySeconds, reason };
}

function dropped(reason: string): DeliveryVerdict {
  return { outcome: 'dropped', reason };
}

async function buildEvent(
  message: WebhookMessage,
  job: JobRecord,
  file: FileRecord | undefined,
  deps: DeliverWebhookDeps,
  now: number,
): Promise<WebhookEvent> {
  const results = await getResults(job.jobId, {
    repo: deps.repo,
    outputs: deps.outputs,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.urlSeconds === undefined ? {} : { urlSeconds: deps.urlSeconds }),
  });
  // The delivery's own state is not part of the event it delivers.
  const { webhook: _webhook, ...data } = results as typeof results & { webhook?: unknown };
  const happened =
    message.type === 'file.finished'
      ? Date.parse(file?.updatedAt ?? '')
      : (job.webhookState?.claimedAt ?? now);
  if (message.type === 'file.finished' && !file) {
    throw new CutoutError('INTERNAL', `no file ${message.fileId} in job ${job.jobId}`);
  }
  return {
    id: webhookEventId(message.type, job.jobId, message.fileId),
    type: message.type,
    created: Math.floor((Number.isFinite(happened) ? happened : now) / 1000),
    ...(file ? { file: file.outputName } : {}),
    data,
  };
}
