import { describe, expect, it } from 'vitest';
import type { InlineFile } from '../../../../core/jobs/create-job.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../../../../core/jobs/job-limits.ts';
import type { ImageProcessor } from '../../../../core/jobs/ports.ts';
import { processFile } from '../../../../core/jobs/process-file.ts';
import {
  createMemoryJob,
  inlinePart,
  JOB_ID,
  memoryJobPorts,
} from '../../../support/memory-jobs.ts';

/** The worker refuses an image over the cap by its size, before reading it into memory. */

const MESSAGE = { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'image' } as const;
const INPUT_KEY = `jobs/${JOB_ID}/0000/cat.jpg`;

async function setup(fields: Record<string, string> = {}, background?: InlineFile) {
  const ports = memoryJobPorts();
  const { repo, inputs, outputs, clock } = ports;
  await createMemoryJob(ports, {
    fields: { convert_to: 'image-backgroundremover', ...fields },
    files: [inlinePart('cat.jpg', 'image/jpeg', 3)],
    ...(background ? { background } : {}),
  });
  const calls: number[] = [];
  const processor: ImageProcessor = async (input) => {
    calls.push(input.byteLength);
    return { data: input, contentType: 'image/png', extension: 'png', modelId: 'm', warnings: [] };
  };
  const deps = { repo, inputs, outputs, clock, processors: { image: processor } };
  return { repo, inputs, outputs, deps, calls };
}

describe('processFile: the image cap', () => {
  it('fails an input over the configured cap without reading it or running the model', async () => {
    const { repo, inputs, outputs, deps, calls } = await setup();
    const outcome = await processFile(MESSAGE, { ...deps, maxImageBytes: 2 });
    const reason = "'cat.jpg' is 3 bytes, over the 2-byte limit";
    expect(outcome).toMatchObject({ outcome: 'failed', code: 'INPUT_TOO_LARGE', error: reason });
    expect(await repo.getFile(JOB_ID, '0000')).toMatchObject({ status: 'failed', error: reason });
    expect(inputs.reads).toEqual([]);
    expect(calls).toEqual([]);
    expect(outputs.objects.size).toBe(0);
  });

  it('applies the 100 MiB default when no cap is configured', async () => {
    const { inputs, deps, calls } = await setup();
    // The object in the bucket may be larger than what was declared (an S3 drop, a replaced object).
    await inputs.put(INPUT_KEY, new Uint8Array(DEFAULT_MAX_IMAGE_BYTES + 1));
    const outcome = await processFile(MESSAGE, deps);
    expect(outcome).toMatchObject({
      outcome: 'failed',
      code: 'INPUT_TOO_LARGE',
      error: `'cat.jpg' is ${DEFAULT_MAX_IMAGE_BYTES + 1} bytes, over the ${DEFAULT_MAX_IMAGE_BYTES}-byte limit`,
    });
    expect(calls).toEqual([]);
  });

  it('holds the background image to the same cap', async () => {
    const { deps, calls } = await setup(
      { bg_type: 'image' },
      inlinePart('sky.jpg', 'image/jpeg', 5, 'bg_image'),
    );
    const outcome = await processFile(MESSAGE, { ...deps, maxImageBytes: 4 });
    expect(outcome).toMatchObject({
      outcome: 'failed',
      code: 'INPUT_TOO_LARGE',
      error: "cat.jpg: 'sky.jpg' is 5 bytes, over the 4-byte limit",
    });
    expect(calls).toEqual([]);
  });

  it('processes an input at the cap', async () => {
    const { deps, calls } = await setup();
    const outcome = await processFile(MESSAGE, { ...deps, maxImageBytes: 3 });
    expect(outcome.outcome).toBe('done');
    expect(calls).toEqual([3]);
  });
});
