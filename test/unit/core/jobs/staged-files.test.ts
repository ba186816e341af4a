import { describe, expect, it, vi } from 'vitest';
import {
  type CreateJobRequest,
  createJob,
  type InlineFile,
  type StagedFile,
} from '../../../../core/jobs/create-job.ts';
import { markUploaded } from '../../../../core/jobs/mark-uploaded.ts';
import { backgroundKey, inputKey } from '../../../../core/jobs/object-keys.ts';
import { createJobDeps, JOB_ID, memoryJobPorts } from '../../../support/memory-jobs.ts';
import { rejection } from '../../../support/rejection.ts';

/** createJob with files the streaming front door already put in the inputs bucket. */

function setup() {
  const ports = memoryJobPorts();
  const put = vi.spyOn(ports.inputs, 'put');
  return { ...ports, put, deps: createJobDeps(ports) };
}

/** A file as the streaming door stages it: under the job, by arrival, `size` bytes already there. */
function staged(
  arrival: number,
  filename: string,
  size: number,
  contentType = 'image/png',
  field = 'files',
): StagedFile {
  const fileId = String(arrival).padStart(4, '0');
  return { field, filename, contentType, size, key: inputKey(JOB_ID, fileId, filename) };
}

/** The inline twin of a staged file: the same part with its bytes in hand. */
function inline(file: StagedFile): InlineFile {
  const { key: _key, size, ...rest } = file;
  return { ...rest, data: new Uint8Array(size) };
}

describe('createJob with staged files', () => {
  it('keeps each staged key, orders the records as the Lambda does, and stores nothing again', async () => {
    const { repo, queue, put, deps } = setup();
    // file[1] arrived first, so it was streamed under 0000; records follow the field index.
    const b = staged(0, 'b.png', 10, 'image/png', 'file[1]');
    const a = staged(1, 'a.png', 20, 'image/png', 'file[0]');
    const result = await createJob(
      { apiKeyId: 'k', fields: { convert_to: 'image-backgroundremover' }, files: [a, b] },
      deps,
    );
    expect(result).toEqual({ uuid: JOB_ID });
    const stored = await repo.getJob(JOB_ID);
    expect(stored?.files.map((f) => [f.fileId, f.inputName, f.inputKey, f.size, f.status])).toEqual(
      [
        ['0000', 'a.png', `jobs/${JOB_ID}/0001/a.png`, 20, 'queued'],
        ['0001', 'b.png', `jobs/${JOB_ID}/0000/b.png`, 10, 'queued'],
      ],
    );
    expect(put).not.toHaveBeenCalled();
    expect(queue.sent.map((m) => m.fileId)).toEqual(['0000', '0001']);
  });

  it('keeps a staged background under its key', async () => {
    const { repo, put, deps } = setup();
    const background: StagedFile = {
      field: 'bg_image',
      filename: 'sky.jpg',
      contentType: 'image/jpeg',
      size: 50,
      key: backgroundKey(JOB_ID, 'sky.jpg'),
    };
    await createJob(
      {
        apiKeyId: 'k',
        fields: { convert_to: 'image-backgroundremover', bg_type: 'image' },
        files: [staged(0, 'a.png', 10)],
        background,
      },
      deps,
    );
    expect((await repo.getJob(JOB_ID))?.job.backgroundKey).toBe(
      `jobs/${JOB_ID}/background/sky.jpg`,
    );
    expect(put).not.toHaveBeenCalled();
  });

  // Each case once with staged files and once with the same files inline: the same error.
  const cases: { name: string; request: Omit<CreateJobRequest, 'apiKeyId'>; code: string }[] = [
    {
      name: 'an empty file',
      request: {
        fields: { convert_to: 'image-backgroundremover' },
        files: [staged(0, 'a.png', 0)],
      },
      code: 'INVALID_REQUEST',
    },
    {
      name: 'an image over the image cap',
      request: {
        fields: { convert_to: 'image-backgroundremover' },
        files: [staged(0, 'big.png', 1001)],
      },
      code: 'INPUT_TOO_LARGE',
    },
    {
      name: 'a file of the wrong media type',
      request: {
        fields: { convert_to: 'image-backgroundremover' },
        files: [staged(0, 'notes.txt', 5, 'text/plain', 'file[0]')],
      },
      code: 'UNSUPPORTED_MEDIA',
    },
    {
      name: 'too many files',
      request: {
        fields: { convert_to: 'image-backgroundremover' },
        files: [staged(0, 'a.png', 5), staged(1, 'b.png', 5), staged(2, 'c.png', 5)],
      },
      code: 'INVALID_REQUEST',
    },
    {
      name: 'a missing background',
      request: {
        fields: { convert_to: 'image-backgroundremover', bg_type: 'image' },
        files: [staged(0, 'a.png', 5)],
      },
      code: 'INVALID_REQUEST',
    },
    {
      name: 'a background image over the image cap',
      request: {
        fields: { convert_to: 'image-backgroundremover', bg_type: 'image' },
        files: [staged(0, 'a.png', 5)],
        background: {
          ...staged(0, 'sky.png', 2000, 'image/png', 'bg_image'),
          key: backgroundKey(JOB_ID, 'sky.png'),
        },
      },
      code: 'INPUT_TOO_LARGE',
    },
    {
      name: 'a bad option',
      request: {
        fields: { convert_to: 'nope' },
        files: [staged(0, 'a.png', 5)],
      },
      code: 'INVALID_REQUEST',
    },
  ];

  it.each(cases)('refuses $name as it refuses the inline file, writing nothing', async (c) => {
    const limits = { maxImageBytes: 1000, maxFiles: 2 };
    const stagedRun = setup();
    const inlineRun = setup();
    const stagedError = await rejection(
      createJob({ apiKeyId: 'k', ...c.request }, { ...stagedRun.deps, limits }),
    );
    const inlineError = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: c.request.fields,
          files: c.request.files.map((f) => inline(f as StagedFile)),
          ...(c.request.background
            ? { background: inline(c.request.background as StagedFile) }
            : {}),
        },
        { ...inlineRun.deps, limits },
      ),
    );
    expect(stagedError.code).toBe(c.code);
    expect({ code: stagedError.code, message: stagedError.message }).toEqual({
      code: inlineError.code,
      message: inlineError.message,
    });
    expect(stagedRun.repo.jobs.size).toBe(0);
    expect(stagedRun.queue.sent).toHaveLength(0);
  });

  it('refuses a staged video over the upload cap by its size', async () => {
    const { deps } = setup();
    const error = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: { convert_to: 'video-backgroundremover' },
          files: [staged(0, 'clip.mp4', 5001, 'video/mp4')],
        },
        { ...deps, limits: { maxUploadBytes: 5000 } },
      ),
    );
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toBe("files: 'clip.mp4' is 5001 bytes, over the 5000-byte limit");
  });

  it("refuses a staged key outside the job's own prefix (a caller's bug)", async () => {
    const { repo, deps } = setup();
    const other = {
      ...staged(0, 'a.png', 5),
      key: 'jobs/99999999-2222-4333-8444-555555555555/0000/a.png',
    };
    const error = await rejection(
      createJob(
        { apiKeyId: 'k', fields: { convert_to: 'image-backgroundremover' }, files: [other] },
        deps,
      ),
    );
    expect(error.code).toBe('INTERNAL');
    expect(repo.jobs.size).toBe(0);
  });

  it("queues each staged file once, whether the object's upload event comes before or after the items", async () => {
    const ports = memoryJobPorts();
    const deps = createJobDeps(ports);
    const b = staged(0, 'b.png', 4, 'image/png', 'file[1]');
    const a = staged(1, 'a.png', 4, 'image/png', 'file[0]');
    for (const f of [a, b]) await ports.inputs.put(f.key, new Uint8Array(4));
    const event = (key: string) =>
      markUploaded(
        { bucket: ports.inputs.bucket, key, size: 4 },
        { ...deps, inputs: ports.inputs },
      );
    // Before: no item yet (the door streams first, then createJob writes the items).
    expect((await event(b.key)).outcome).toBe('ignored');
    await createJob(
      { apiKeyId: 'k', fields: { convert_to: 'image-backgroundremover' }, files: [a, b] },
      deps,
    );
    // After: the key's file id (arrival order) names the other record, or a queued one.
    expect((await event(a.key)).outcome).toBe('ignored');
    expect((await event(b.key)).outcome).toBe('ignored');
    expect(ports.queue.sent.map((m) => m.fileId).sort()).toEqual(['0000', '0001']);
  });
});
