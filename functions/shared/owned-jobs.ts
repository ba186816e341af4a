import type { JobRepository } from '../../core/jobs/ports.ts';

/**
 * The jobs one API key may see: a job read (`getJob`, through which `/v1/results` and
 * `/v1/files` load every job) of another key's job, or of an S3-triggered one with no key,
 * comes back as absent, so they answer 404 exactly as for an unknown uuid and never confirm
 * that someone else's job exists. Every other method passes through to `repo` unchanged (a
 * proxy, so methods added to the port later need no edit here).
 */
export function ownedJobs(repo: JobRepository, apiKeyId: string): JobRepository {
  const getJob: JobRepository['getJob'] = async (jobId) => {
    const found = await repo.getJob(jobId);
    return found?.job.apiKeyId === apiKeyId ? found : undefined;
  };
  return new Proxy(repo, {
    get(target, property) {
      if (property === 'getJob') return getJob;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
