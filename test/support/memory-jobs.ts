import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CreateJobDeps,
  type CreateJobRequest,
  createJob,
  type InlineFile,
} from '../../core/jobs/create-job.ts';
import type { JobQueue, Scratch } from '../../core/jobs/ports.ts';
import type { ProcessFileDeps } from '../../core/jobs/process-file.ts';
import {
  FakeClock,
  MemoryJobQueue,
  MemoryJobRepository,
  MemoryObjectStore,
} from '../unit/core/jobs/memory-ports.ts';

/**
 * Jobs on the in-memory ports, for the use-case tests: the ports a job lives in, and jobs
 * created in them by the real createJob with a fixed id.
 */

export const JOB_ID = '11111111-2222-4333-8444-555555555555';

export interface MemoryJobPorts {
  readonly repo: MemoryJobRepository;
  readonly inputs: MemoryObjectStore;
  readonly outputs: MemoryObjectStore;
  readonly queue: MemoryJobQueue;
  readonly clock: FakeClock;
}

export function memoryJobPorts(): MemoryJobPorts {
  return {
    repo: new MemoryJobRepository(),
    inputs: new MemoryObjectStore('inputs'),
    outputs: new MemoryObjectStore('outputs'),
    queue: new MemoryJobQueue(),
    clock: new FakeClock(),
  };
}

/** createJob's dependencies on the ports; the job gets `jobId`, and `queue` replaces the ports' queue. */
export function createJobDeps(
  ports: MemoryJobPorts,
  options: { jobId?: string; queue?: JobQueue } = {},
): CreateJobDeps & { newId: () => string } {
  const jobId = options.jobId ?? JOB_ID;
  return {
    repo: ports.repo,
    inputs: ports.inputs,
    queue: options.queue ?? ports.queue,
    clock: ports.clock,
    newId: () => jobId,
  };
}

/**
 * processFile's dependencies on the ports: `deps` names the processors and may set (or
 * replace) anything else.
 */
export function processFileDeps(
  ports: MemoryJobPorts,
  deps: Pick<ProcessFileDeps, 'processors'> & Partial<ProcessFileDeps>,
): ProcessFileDeps {
  return {
    repo: ports.repo,
    inputs: ports.inputs,
    outputs: ports.outputs,
    clock: ports.clock,
    ...deps,
  };
}

/** Creates a job (API key `k`) in the ports with the real createJob, and returns its id. */
export async function createMemoryJob(
  ports: MemoryJobPorts,
  request: Omit<CreateJobRequest, 'apiKeyId' | 'files'> & { files?: readonly InlineFile[] },
  options: { jobId?: string; queue?: JobQueue } = {},
): Promise<string> {
  const { uuid } = await createJob(
    { apiKeyId: 'k', files: [], ...request },
    createJobDeps(ports, options),
  );
  return uuid;
}

/** An inline part of the request: `data`, or that many zero bytes. */
export function inlinePart(
  filename: string,
  contentType: string,
  data: Uint8Array | number,
  field = 'files',
): InlineFile {
  return {
    field,
    filename,
    contentType,
    data: typeof data === 'number' ? new Uint8Array(data) : data,
  };
}

/**
 * Scratch folders under a fresh temporary root, each recorded in `dirs` so a test can check
 * they are gone; `dispose` removes the root.
 */
export async function recordedScratch(prefix = 'cutout-scratch-'): Promise<{
  scratch: Scratch;
  dirs: string[];
  dispose(): Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const dirs: string[] = [];
  return {
    scratch: {
      makeDir: async (label) => {
        const dir = await mkdtemp(join(root, `${label}-`));
        dirs.push(dir);
        return dir;
      },
      remove: (dir) => rm(dir, { recursive: true, force: true }),
    },
    dirs,
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
