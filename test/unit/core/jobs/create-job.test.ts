import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { createJob, type InlineFile } from '../../../../core/jobs/create-job.ts';
import {
  FakeClock,
  MemoryJobQueue,
  MemoryJobRepository,
  MemoryObjectStore,
} from './memory-ports.ts';

const JOB_ID = '11111111-2222-4333-8444-555555555555';

function setup() {
  const repo = new MemoryJobRepository();
  const inputs = new MemoryObjectStore('inputs');
  const queue = new MemoryJobQueue();
  const deps = { repo, inputs, queue, clock: new FakeClock(), newId: () => JOB_ID };
  return { repo, inputs, queue, deps };
}

const png = (filename: string, field = 'files'): InlineFile => ({
  field,
  filename,
  contentType: 'image/png',
  data: new Uint8Array([137, 80, 78, 71]),
});

async function rejection(promise: Promise<unknown>): Promise<CutoutError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CutoutError);
  return error as CutoutError;
}

describe('createJob', () => {
  it('stores inline inputs, writes queued files and enqueues one id-only message each', async () => {
    const { repo, inputs, queue, deps } = setup();
    const result = await createJob(
      {
        apiKeyId: 'key_1',
        fields: { convert_to: 'image-backgroundremover', lang: 'en' },
        files: [png('a.png'), png('b.png')],
      },
      deps,
    );
    expect(result).toEqual({ uuid: JOB_ID });
    const stored = await repo.getJob(JOB_ID);
    expect(stored?.job).toMatchObject({
      kind: 'image',
      apiKeyId: 'key_1',
      fileCount: 2,
      source: 'api',
    });
    expect(stored?.files.map((f) => [f.status, f.inputKey, f.outputKey])).toEqual([
      ['queued', `jobs/${JOB_ID}/0000/a.png`, `jobs/${JOB_ID}/a.png`],
      ['queued', `jobs/${JOB_ID}/0001/b.png`, `jobs/${JOB_ID}/b.png`],
    ]);
    expect([...inputs.objects.keys()].sort()).toEqual([
      `jobs/${JOB_ID}/0000/a.png`,
      `jobs/${JOB_ID}/0001/b.png`,
    ]);
    expect(queue.sent).toEqual([
      { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'image' },
      { v: 1, jobId: JOB_ID, fileId: '0001', kind: 'image' },
    ]);
  });

  it('sanitises names before they become keys', async () => {
    const { repo, deps } = setup();
    await createJob(
      {
        apiKeyId: 'k',
        fields: { convert_to: 'image-backgroundremover' },
        files: [png('../../etc/pa\u0000ss.png')],
      },
      deps,
    );
    const file = (await repo.getJob(JOB_ID))?.files[0];
    expect(file?.inputKey).toBe(`jobs/${JOB_ID}/0000/pass.png`);
    expect(file?.outputName).toBe('pass.png');
  });

  it('names the field of a bad value and writes nothing', async () => {
    const { repo, queue, deps } = setup();
    const error = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: { convert_to: 'image-backgroundremover', alpha_erode: '99' },
          files: [png('a.png')],
        },
        deps,
      ),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toMatch(/^alpha_erode:/);
    expect(repo.jobs.size).toBe(0);
    expect(queue.sent).toHaveLength(0);
  });

  it('refuses a model the workers do not know when given the list', async () => {
    const { deps } = setup();
    const known = { ...deps, knownModels: new Set(['u2net', 'u2netp']) };
    const fields = { convert_to: 'image-backgroundremover', model: 'u2net_big' };
    const error = await rejection(
      createJob({ apiKeyId: 'k', fields, files: [png('a.png')] }, known),
    );
    expect(error.message).toMatch(/^model: unknown model 'u2net_big'; known: u2net, u2netp/);
    await createJob(
      { apiKeyId: 'k', fields: { ...fields, model: 'u2netp' }, files: [png('a.png')] },
      known,
    );
  });

  it('requires convert_to and at least one file', async () => {
    const { deps } = setup();
    expect(
      (await rejection(createJob({ apiKeyId: 'k', fields: {}, files: [png('a.png')] }, deps)))
        .message,
    ).toMatch(/^convert_to:/);
    expect(
      (
        await rejection(
          createJob(
            { apiKeyId: 'k', fields: { convert_to: 'image-backgroundremover' }, files: [] },
            deps,
          ),
        )
      ).message,
    ).toMatch(/^files:.*uploads/);
  });

  it('refuses a file that is not an image, naming the field and the file', async () => {
    const { deps } = setup();
    const error = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: { convert_to: 'image-backgroundremover' },
          files: [
            {
              field: 'file[0]',
              filename: 'notes.txt',
              contentType: 'text/plain',
              data: new Uint8Array([1]),
            },
          ],
        },
        deps,
      ),
    );
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(error.message).toContain('file[0]');
    expect(error.message).toContain('notes.txt');
  });

  it('accepts octet-stream parts by their extension', async () => {
    const { repo, deps } = setup();
    await createJob(
      {
        apiKeyId: 'k',
        fields: { convert_to: 'image-backgroundremover' },
        files: [
          {
            field: 'files',
            filename: 'p.JPG',
            contentType: 'application/octet-stream',
            data: new Uint8Array([1]),
          },
        ],
      },
      deps,
    );
    expect((await repo.getJob(JOB_ID))?.files[0]?.contentType).toBe('image/jpeg');
  });

  it('requires the background part the options need', async () => {
    const { repo, inputs, deps } = setup();
    const fields = { convert_to: 'image-backgroundremover', bg_type: 'image' };
    expect(
      (await rejection(createJob({ apiKeyId: 'k', fields, files: [png('a.png')] }, deps))).message,
    ).toMatch(/^bg_image:/);
    await createJob(
      { apiKeyId: 'k', fields, files: [png('a.png')], background: png('sky.png', 'bg_image') },
      deps,
    );
    const job = (await repo.getJob(JOB_ID))?.job;
    expect(job?.backgroundKey).toBe(`jobs/${JOB_ID}/background/sky.png`);
    expect(inputs.objects.has(`jobs/${JOB_ID}/background/sky.png`)).toBe(true);
  });

  it('hands out presigned POST targets and multipart URLs in uploads mode, queueing nothing yet', async () => {
    const { repo, queue, deps } = setup();
    const result = await createJob(
      {
        apiKeyId: 'k',
        fields: {
          convert_to: 'video-backgroundremover',
          uploads: JSON.stringify([
            { filename: 'small.mp4', size: 1000, content_type: 'video/mp4' },
            { filename: 'big.mov', size: 300 * 1024 * 1024, content_type: 'video/quicktime' },
          ]),
        },
        files: [],
      },
      deps,
    );
    expect(queue.sent).toHaveLength(0);
    expect((await repo.getJob(JOB_ID))?.files.map((f) => f.status)).toEqual([
      'waiting_upload',
      'waiting_upload',
    ]);
    const [small, big] = result.uploads ?? [];
    expect(small).toMatchObject({
      filename: 'small.mp4',
      method: 'POST',
      fields: { 'Content-Type': 'video/mp4', max: '1000' },
    });
    expect(big?.method).toBe('multipart');
    if (big?.method === 'multipart') {
      expect(big.parts.length * big.part_size).toBeGreaterThanOrEqual(300 * 1024 * 1024);
      expect(big.parts[0]?.part_number).toBe(1);
    }
  });

  it('names the entry of a bad uploads list', async () => {
    const { deps } = setup();
    const error = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: {
            convert_to: 'image-backgroundremover',
            uploads: [{ filename: 'a.png', size: -1, content_type: 'image/png' }],
          },
          files: [],
        },
        deps,
      ),
    );
    expect(error.message).toMatch(/^uploads\[0\]\.size:/);
  });

  it('refuses files and uploads together', async () => {
    const { deps } = setup();
    const error = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: {
            convert_to: 'image-backgroundremover',
            uploads: [{ filename: 'a.png', size: 1, content_type: 'image/png' }],
          },
          files: [png('b.png')],
        },
        deps,
      ),
    );
    expect(error.message).toMatch(/^uploads:/);
  });
});
