import { describe, expect, it } from 'vitest';
import { createJob, type InlineFile } from '../../../../core/jobs/create-job.ts';
import { createJobDeps, JOB_ID, memoryJobPorts } from '../../../support/memory-jobs.ts';
import { rejection } from '../../../support/rejection.ts';

function setup() {
  const ports = memoryJobPorts();
  return { ...ports, deps: createJobDeps(ports) };
}

const png = (filename: string, field = 'files'): InlineFile => ({
  field,
  filename,
  contentType: 'image/png',
  data: new Uint8Array([137, 80, 78, 71]),
});

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

  it('signs every part with its exact length, the last one the remainder', async () => {
    const { deps } = setup();
    const size = 3 * 16 * 1024 * 1024 + 12_345;
    const result = await createJob(
      {
        apiKeyId: 'k',
        fields: {
          convert_to: 'video-backgroundremover',
          uploads: [{ filename: 'clip.mp4', size, content_type: 'video/mp4' }],
        },
        files: [],
      },
      { ...deps, limits: { multipartThresholdBytes: 1024 } },
    );
    const target = result.uploads?.[0];
    if (target?.method !== 'multipart') throw new Error('expected a multipart target');
    expect(target.part_size).toBe(16 * 1024 * 1024);
    // The fake store writes the length it was asked to sign into each URL.
    const lengths = target.parts.map((p) => Number(new URL(p.url).searchParams.get('length')));
    expect(lengths).toEqual([target.part_size, target.part_size, target.part_size, 12_345]);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(size);
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

describe('createJob limits on images and uploads', () => {
  const image = (size: number): InlineFile => ({
    field: 'file[0]',
    filename: 'huge.png',
    contentType: 'image/png',
    data: new Uint8Array(size),
  });

  it('refuses an inline image over the image cap, naming the part and the limit', async () => {
    const { repo, inputs, queue, deps } = setup();
    const limited = { ...deps, limits: { maxImageBytes: 1000 } };
    const fields = { convert_to: 'image-backgroundremover' };
    const error = await rejection(
      createJob({ apiKeyId: 'k', fields, files: [image(1001)] }, limited),
    );
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.field).toBe('file[0]');
    expect(error.message).toBe(
      "file[0]: 'huge.png' is 1001 bytes, over the 1000-byte limit for images",
    );
    expect([repo.jobs.size, inputs.objects.size, queue.sent.length]).toEqual([0, 0, 0]);
    await createJob({ apiKeyId: 'k', fields, files: [image(1000)] }, limited);
    expect(repo.jobs.size).toBe(1);
  });

  it('refuses a background image over the image cap', async () => {
    const { repo, deps } = setup();
    const error = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: { convert_to: 'image-backgroundremover', bg_type: 'image' },
          files: [png('a.png')],
          background: { ...image(2000), field: 'bg_image', filename: 'sky.png' },
        },
        { ...deps, limits: { maxImageBytes: 1000 } },
      ),
    );
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toMatch(/^bg_image: 'sky\.png' is 2000 bytes, over the 1000-byte limit/);
    expect(repo.jobs.size).toBe(0);
  });

  it('caps declared upload sizes per kind: images by the image cap, videos by maxUploadBytes', async () => {
    const { repo, deps } = setup();
    const limited = { ...deps, limits: { maxImageBytes: 5000, maxUploadBytes: 9000 } };
    const uploadOf = (convert_to: string, filename: string, size: number, type: string) =>
      createJob(
        {
          apiKeyId: 'k',
          fields: { convert_to, uploads: [{ filename, size, content_type: type }] },
          files: [],
        },
        limited,
      );
    const tooBig = await rejection(
      uploadOf('image-backgroundremover', 'p.jpg', 5001, 'image/jpeg'),
    );
    expect(tooBig.code).toBe('INPUT_TOO_LARGE');
    expect(tooBig.field).toBe('uploads[0].size');
    expect(tooBig.message).toBe(
      "uploads[0].size: 'p.jpg' is 5001 bytes, over the 5000-byte limit for images",
    );
    expect(repo.jobs.size).toBe(0);
    // A video of the same size is within its own (larger) cap.
    await uploadOf('video-backgroundremover', 'c.mp4', 5001, 'video/mp4');
    const video = await rejection(uploadOf('video-backgroundremover', 'c.mp4', 9001, 'video/mp4'));
    expect(video.message).toMatch(
      /^uploads\[0\]\.size: 'c\.mp4' is 9001 bytes, over the 9000-byte limit$/,
    );
  });

  it('shares the part URLs of one answer among its multipart files by growing their parts', async () => {
    const { deps } = setup();
    const mib = 1024 * 1024;
    const result = await createJob(
      {
        apiKeyId: 'k',
        fields: {
          convert_to: 'video-backgroundremover',
          uploads: [1, 2, 3].map((i) => ({
            filename: `c${i}.mp4`,
            size: 400 * mib + i,
            content_type: 'video/mp4',
          })),
        },
        files: [],
      },
      { ...deps, limits: { maxPartUrls: 30 } },
    );
    const counts = (result.uploads ?? []).map((t) =>
      t.method === 'multipart' ? t.parts.length : 0,
    );
    // 30 URLs for 3 files: at most 10 parts each (16 MiB parts would need 26).
    expect(counts).toEqual([10, 10, 10]);
    for (const target of result.uploads ?? []) {
      if (target.method === 'multipart') expect(target.part_size).toBe(41 * mib);
    }
  });

  it('refuses an uploads list whose files would need parts over S3s 5 GiB part maximum', async () => {
    const { repo, deps } = setup();
    const error = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: {
            convert_to: 'video-backgroundremover',
            uploads: [1, 2].map((i) => ({
              filename: `c${i}.mp4`,
              size: 20 * 1024 ** 3,
              content_type: 'video/mp4',
            })),
          },
          files: [],
        },
        { ...deps, limits: { maxPartUrls: 6 } },
      ),
    );
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.field).toBe('uploads[0].size');
    expect(error.message).toMatch(
      /at most 6 part URLs per request.*send fewer large files per request$/,
    );
    expect(repo.jobs.size).toBe(0);
  });

  it('refuses, naming uploads, an answer over the response limit and writes no job', async () => {
    const { repo, queue, deps } = setup();
    const uploads = Array.from({ length: 20 }, (_, i) => ({
      filename: `${'long name '.repeat(15)}${i}.jpg`,
      size: 1000,
      content_type: 'image/jpeg',
    }));
    const fields = { convert_to: 'image-backgroundremover', uploads };
    const error = await rejection(
      createJob(
        { apiKeyId: 'k', fields, files: [] },
        { ...deps, limits: { maxResponseBytes: 4000 } },
      ),
    );
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.field).toBe('uploads');
    expect(error.message).toMatch(
      /^uploads: the upload targets for 20 files take \d+ bytes, over the 4000-byte response limit; send fewer files/,
    );
    expect([repo.jobs.size, repo.files.size, queue.sent.length]).toEqual([0, 0, 0]);
    const fits = await createJob({ apiKeyId: 'k', fields, files: [] }, deps);
    expect(fits.uploads).toHaveLength(20);
  });
});
