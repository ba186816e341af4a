import type { MetricKind } from '../../core/config/metrics.ts';
import type { JobRepository } from '../../core/jobs/ports.ts';

/**
 * The kind a file failed outside the worker is counted under. Undefined when the job cannot be
 * read: the caller then skips the metric rather than guess a kind or fail work already done.
 */
export async function jobKindOf(
  repo: Pick<JobRepository, 'getJob'>,
  jobId: string,
): Promise<MetricKind | undefined> {
  try {
    return (await repo.getJob(jobId))?.job.kind;
  } catch {
    return undefined;
  }
}
