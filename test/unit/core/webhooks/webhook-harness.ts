import type { FileStatus } from '../../../../core/jobs/job.ts';
import { notifyFileFinished } from '../../../../core/webhooks/notify-finished.ts';
import {
  createMemoryJob,
  inlinePart,
  type MemoryJobPorts,
  memoryJobPorts,
} from '../../../support/memory-jobs.ts';
import { MemoryWebhookQueue, MemoryWebhookSecrets, MemoryWebhookStore } from './memory-webhooks.ts';

/** Memory ports with webhook ports beside them, and jobs made by the real createJob. */

export interface WebhookPorts extends MemoryJobPorts {
  readonly webhooks: MemoryWebhookStore;
  readonly hooks: MemoryWebhookQueue;
  readonly secrets: MemoryWebhookSecrets;
}

export function webhookPorts(): WebhookPorts {
  const ports = memoryJobPorts();
  const secrets = new MemoryWebhookSecrets();
  secrets.secrets.set('k', 'whsec_unit');
  return {
    ...ports,
    webhooks: new MemoryWebhookStore(ports.repo),
    hooks: new MemoryWebhookQueue(),
    secrets,
  };
}

let ids = 0;
export const nextJobId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

/** An inline image job of `count` files with a webhook. */
export async function webhookJob(
  ports: WebhookPorts,
  count: number,
  events = 'job.finished',
  url = 'https://receiver.example/hook',
): Promise<string> {
  return createMemoryJob(
    ports,
    {
      fields: {
        convert_to: 'image-backgroundremover',
        webhook_url: url,
        webhook_events: events,
      },
      files: Array.from({ length: count }, (_, i) =>
        inlinePart(`f${i}.png`, 'image/png', new Uint8Array([1, 2, 3])),
      ),
    },
    { jobId: nextJobId() },
  );
}

/** Ends a file the way a worker's verdict does (a conditional write to done or failed). */
export async function endFile(
  ports: WebhookPorts,
  jobId: string,
  fileId: string,
  status: Extract<FileStatus, 'done' | 'failed'> = 'done',
): Promise<void> {
  const ended = await ports.repo.updateFile({
    jobId,
    fileId,
    from: ['queued', 'running'],
    set: {
      status,
      updatedAt: new Date(ports.clock.now()).toISOString(),
      ...(status === 'failed' ? { error: 'broken' } : { outputContentType: 'image/png' }),
    },
  });
  if (!ended) throw new Error(`could not end ${jobId}/${fileId}`);
}

export function notify(ports: WebhookPorts, jobId: string, fileId?: string) {
  return notifyFileFinished(jobId, fileId, {
    repo: ports.repo,
    webhooks: ports.webhooks,
    queue: ports.hooks,
    clock: ports.clock,
  });
}
