import { describe, expect, it } from 'vitest';
import { streamConvert } from '../../../../containers/ingest/stream-convert.ts';
import type { JobQueue } from '../../../../core/jobs/ports.ts';
import { createJobDeps, JOB_ID, memoryJobPorts } from '../../../support/memory-jobs.ts';
import { rejection } from '../../../support/rejection.ts';
import { type FormPart, streamedBody, streamedForm } from '../../../support/streamed-form.ts';

/** streamConvert on the in-memory ports: what it stages, keeps and removes. */

function run(parts: readonly FormPart[], options: { queue?: JobQueue } = {}) {
  const ports = memoryJobPorts();
  const form = streamedForm(parts);
  const result = streamConvert(
    { headers: form.headers, body: form.body, signal: new AbortController().signal },
    'key_1',
    { ...createJobDeps(ports, options), maxUploadBytes: 10_000_000 },
  );
  return { ports, result };
}

const png = (field: string, filename: string, data = 4): FormPart => ({
  field,
  filename,
  contentType: 'image/png',
  data,
});

describe('streamConvert', () => {
  it('stages inputs by arrival and the first background part; a needed background stays', async () => {
    const { ports, result } = run([
      png('files', 'a.png'),
      png('bg_image', 'sky.png'),
      png('background', 'other.png'),
      png('files', 'b.png'),
      { field: 'convert_to', value: 'image-backgroundremover' },
      { field: 'bg_type', value: 'image' },
    ]);
    await result;
    expect([...ports.inputs.objects.keys()].sort()).toEqual([
      `jobs/${JOB_ID}/0000/a.png`,
      `jobs/${JOB_ID}/0001/b.png`,
      `jobs/${JOB_ID}/background/sky.png`,
    ]);
    expect((await ports.repo.getJob(JOB_ID))?.job.backgroundKey).toBe(
      `jobs/${JOB_ID}/background/sky.png`,
    );
  });

  it('removes a background the options turn out not to need', async () => {
    const { ports, result } = run([
      png('bg_image', 'sky.png'),
      png('files', 'a.png'),
      { field: 'convert_to', value: 'image-backgroundremover' },
    ]);
    await result;
    expect([...ports.inputs.objects.keys()]).toEqual([`jobs/${JOB_ID}/0000/a.png`]);
    expect(ports.inputs.deletes).toEqual([`jobs/${JOB_ID}/background/sky.png`]);
  });

  it('deletes every staged object when the job is refused', async () => {
    const { ports, result } = run([
      png('files', 'a.png'),
      png('files', 'b.png'),
      { field: 'convert_to', value: 'image-backgroundremover' },
      { field: 'alpha_erode', value: '99' },
    ]);
    expect((await rejection(result)).message).toMatch(/^alpha_erode:/);
    expect(ports.inputs.objects.size).toBe(0);
    expect(ports.repo.jobs.size).toBe(0);
  });

  it('keeps the inputs of a job that was written before a queue failed (the reconciler sends it)', async () => {
    const broken: JobQueue = {
      send: async () => {
        throw new Error('queue unreachable');
      },
    };
    const { ports, result } = run(
      [png('files', 'a.png'), { field: 'convert_to', value: 'image-backgroundremover' }],
      { queue: broken },
    );
    await expect(result).rejects.toThrow('queue unreachable');
    expect((await ports.repo.getJob(JOB_ID))?.files[0]?.status).toBe('queued');
    expect([...ports.inputs.objects.keys()]).toEqual([`jobs/${JOB_ID}/0000/a.png`]);
  });

  it('refuses one input over the count as it arrives, removing those already stored', async () => {
    const ports = memoryJobPorts();
    const form = streamedForm([
      { field: 'convert_to', value: 'image-backgroundremover' },
      ...['a', 'b', 'c'].map((n) => png('files', `${n}.png`)),
      png('files', 'never-read.png', 5_000_000),
    ]);
    const error = await rejection(
      streamConvert(
        { headers: form.headers, body: form.body, signal: new AbortController().signal },
        'k',
        { ...createJobDeps(ports), limits: { maxFiles: 2 }, maxUploadBytes: 10_000_000 },
      ),
    );
    expect(error.message).toBe('files: at most 2 files per request, got 3 or more');
    expect(ports.inputs.objects.size).toBe(0);
    expect(ports.inputs.deletes.sort()).toEqual([
      `jobs/${JOB_ID}/0000/a.png`,
      `jobs/${JOB_ID}/0001/b.png`,
    ]);
    // The form stopped at the third file: the rest of the body was never read.
    expect(form.body.sent).toBeLessThan(5_000_000);
  });

  it('reads URL-encoded and JSON bodies as the Lambda does', async () => {
    const ports = memoryJobPorts();
    const deps = { ...createJobDeps(ports), maxUploadBytes: 10_000_000 };
    const signal = new AbortController().signal;
    const uploads = JSON.stringify([{ filename: 'a.png', size: 10, content_type: 'image/png' }]);
    const form = streamedBody(
      new URLSearchParams({ convert_to: 'image-backgroundremover', uploads }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect((await streamConvert({ ...form, signal }, 'k', deps)).uploads).toHaveLength(1);
    const empty = await rejection(
      streamConvert(
        {
          ...streamedBody('', ''),
          headers: { 'content-type': 'text/plain', 'content-length': '0' },
          signal,
        },
        'k',
        deps,
      ),
    );
    expect(empty.message).toMatch(/^convert_to: is required/);
    const bad = await rejection(
      streamConvert({ ...streamedBody('x', 'text/plain'), signal }, 'k', deps),
    );
    expect(bad.code).toBe('UNSUPPORTED_MEDIA');
  });
});
