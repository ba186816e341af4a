import type {
  WebhookQueue,
  WebhookSecrets,
  WebhookStore,
} from '../../../../core/webhooks/ports.ts';
import type { WebhookMessage } from '../../../../core/webhooks/webhook-message.ts';
import {
  isFinalState,
  type WebhookState,
  wantsEvent,
} from '../../../../core/webhooks/webhook-model.ts';
import type { MemoryJobRepository } from '../jobs/memory-ports.ts';

/**
 * The webhook ports in memory, over a MemoryJobRepository's job records, with the DynamoDB
 * adapter's semantics: the claim holds only while the job has no state, a final state is never
 * overwritten, and the index holds jobs wanting job.finished until settled.
 */
export class MemoryWebhookStore implements WebhookStore {
  readonly repo: MemoryJobRepository;
  /** The index: jobId -> pending clock (absent: the job's creation). */
  readonly since = new Map<string, number>();
  readonly settled = new Set<string>();
  claims = 0;

  constructor(repo: MemoryJobRepository) {
    this.repo = repo;
  }

  async claim(jobId: string, now: number): Promise<boolean> {
    const job = this.repo.jobs.get(jobId);
    if (!job || job.webhookState) return false;
    this.claims += 1;
    this.repo.jobs.set(jobId, {
      ...job,
      webhookState: { state: 'queued', claimedAt: now, updatedAt: now, attempts: 0 },
    });
    this.since.set(jobId, now);
    return true;
  }

  async record(jobId: string, state: WebhookState): Promise<boolean> {
    const job = this.repo.jobs.get(jobId);
    if (!job || isFinalState(job.webhookState)) return false;
    this.repo.jobs.set(jobId, { ...job, webhookState: state });
    if (isFinalState(state)) this.settled.add(jobId);
    else this.since.set(jobId, state.nextAttemptAt ?? state.updatedAt);
    return true;
  }

  async postpone(jobId: string, at: number, touchedAt?: number): Promise<void> {
    if (this.settled.has(jobId)) return;
    this.since.set(jobId, at);
    const job = this.repo.jobs.get(jobId);
    if (touchedAt !== undefined && job?.webhookState) {
      this.repo.jobs.set(jobId, {
        ...job,
        webhookState: { ...job.webhookState, updatedAt: touchedAt },
      });
    }
  }

  async settle(jobId: string): Promise<void> {
    this.settled.add(jobId);
  }

  async listDue(before: number, limit: number): Promise<string[]> {
    return [...this.repo.jobs.values()]
      .filter((job) => wantsEvent(job.webhook, 'job.finished') && !this.settled.has(job.jobId))
      .map((job) => ({
        id: job.jobId,
        since: this.since.get(job.jobId) ?? Date.parse(job.createdAt),
      }))
      .filter((due) => due.since <= before)
      .sort((a, b) => a.since - b.since)
      .slice(0, limit)
      .map((due) => due.id);
  }
}

export class MemoryWebhookQueue implements WebhookQueue {
  readonly sent: WebhookMessage[] = [];
  async send(message: WebhookMessage): Promise<void> {
    this.sent.push(message);
  }
}

export class MemoryWebhookSecrets implements WebhookSecrets {
  readonly secrets = new Map<string, string>();
  async secretFor(keyId: string): Promise<string | undefined> {
    return this.secrets.get(keyId);
  }
}
