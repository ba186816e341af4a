import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { createJob } from '../../../../core/jobs/create-job.ts';
import { getResults } from '../../../../core/jobs/get-results.ts';
import { addFormField, formFields, parseImageUrls } from '../../../../core/jobs/image-urls.ts';
import { createJobDeps, inlinePart, JOB_ID, memoryJobPorts } from '../../../support/memory-jobs.ts';
import { rejection } from '../../../support/rejection.ts';

const HTTPS_ONLY = { allowHttp: false };
const IMAGE = { convert_to: 'image-backgroundremover' };

function refusal(run: () => unknown): CutoutError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CutoutError);
    return error as CutoutError;
  }
  throw new Error('expected a refusal');
}

describe('collecting image_url from forms', () => {
  it('collects every spelling of image_url, in order, and keeps the last value of other fields', () => {
    const fields: Record<string, unknown> = {};
    addFormField(fields, 'image_url', 'https://a.example/1.png');
    addFormField(fields, 'model', 'u2net');
    addFormField(fields, 'image_url[]', 'https://a.example/2.png');
    addFormField(fields, 'image_url[5]', 'https://a.example/3.png');
    addFormField(fields, 'model', 'isnet-general-use');
    expect(fields).toEqual({
      image_url: ['https://a.example/1.png', 'https://a.example/2.png', 'https://a.example/3.png'],
      model: 'isnet-general-use',
    });
  });

  it('reads a URL-encoded body the same way', () => {
    const params = new URLSearchParams(
      'convert_to=image-backgroundremover&image_url=https%3A%2F%2Fa.example%2F1.png&image_url=https%3A%2F%2Fa.example%2F2.png',
    );
    expect(formFields(params)).toEqual({
      convert_to: 'image-backgroundremover',
      image_url: ['https://a.example/1.png', 'https://a.example/2.png'],
    });
  });
});

describe('parseImageUrls', () => {
  it('names each input after its last path segment, decoded and sanitised, else image-N', () => {
    const inputs = parseImageUrls(
      {
        image_url: [
          'https://cdn.example.com/photos/Red%20Cat.JPG?size=large',
          'https://cdn.example.com/',
          ' https://cdn.example.com/a/..%2F..%2Fetc%2Fpasswd ',
          '',
          'https://cdn.example.com/dir/',
        ],
      },
      HTTPS_ONLY,
    );
    expect(inputs).toEqual([
      {
        url: 'https://cdn.example.com/photos/Red%20Cat.JPG?size=large',
        name: 'Red Cat.JPG',
        contentType: 'image/jpeg',
      },
      { url: 'https://cdn.example.com/', name: 'image-2', contentType: undefined },
      {
        url: 'https://cdn.example.com/a/..%2F..%2Fetc%2Fpasswd',
        name: 'passwd',
        contentType: undefined,
      },
      { url: 'https://cdn.example.com/dir/', name: 'image-4', contentType: undefined },
    ]);
  });

  it('takes one URL as a plain string, and nothing when absent or blank', () => {
    expect(parseImageUrls({ image_url: 'https://x.example/a.webp' }, HTTPS_ONLY)).toHaveLength(1);
    expect(parseImageUrls({}, HTTPS_ONLY)).toEqual([]);
    expect(parseImageUrls({ image_url: '  ' }, HTTPS_ONLY)).toEqual([]);
  });

  it.each([
    [
      'http://x.example/a.png',
      HTTPS_ONLY,
      "image_url: 'http://x.example/a.png': the URL uses http; only https URLs are allowed",
    ],
    [
      'ftp://x.example/a.png',
      { allowHttp: true },
      "image_url: 'ftp://x.example/a.png': the URL uses ftp; only https and http URLs are allowed",
    ],
    [
      'https://me:pw@x.example/a.png',
      HTTPS_ONLY,
      "image_url: 'https://me:pw@x.example/a.png': the URL carries a user name or password; credentials in URLs are not allowed",
    ],
    ['x.example/a.png', HTTPS_ONLY, "image_url: 'x.example/a.png': the URL is not an absolute URL"],
    [`https://x.example/${'a'.repeat(2100)}`, HTTPS_ONLY, 'is longer than 2048 characters'],
  ])('refuses %s with a 400 naming image_url', (url, rules, message) => {
    const error = refusal(() => parseImageUrls({ image_url: url }, rules));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.field).toBe('image_url');
    expect(error.message).toContain(message);
  });

  it('takes http where the deployment allows it', () => {
    expect(
      parseImageUrls({ image_url: 'http://127.0.0.1:8080/a.png' }, { allowHttp: true }),
    ).toEqual([{ url: 'http://127.0.0.1:8080/a.png', name: 'a.png', contentType: 'image/png' }]);
  });

  it('refuses values that are not strings', () => {
    const error = refusal(() => parseImageUrls({ image_url: [1, 2] }, HTTPS_ONLY));
    expect(error.message).toBe('image_url: must be a URL or a list of URLs (strings)');
  });
});

describe('createJob with image_url', () => {
  function setup() {
    const ports = memoryJobPorts();
    return { ...ports, deps: createJobDeps(ports) };
  }

  it('makes queued files after the parts, keeps each URL, stores nothing and enqueues each', async () => {
    const { repo, inputs, queue, deps } = setup();
    await createJob(
      {
        apiKeyId: 'k',
        fields: {
          ...IMAGE,
          image_url: ['https://cdn.example.com/cat.png', 'https://cdn.example.com/a.png?v=2'],
        },
        files: [inlinePart('a.png', 'image/png', 4)],
      },
      deps,
    );
    const stored = await repo.getJob(JOB_ID);
    expect(
      stored?.files.map((f) => [f.fileId, f.inputName, f.outputName, f.status, f.sourceUrl]),
    ).toEqual([
      ['0000', 'a.png', 'a.png', 'queued', undefined],
      ['0001', 'cat.png', 'cat.png', 'queued', 'https://cdn.example.com/cat.png'],
      ['0002', 'a.png', 'a-2.png', 'queued', 'https://cdn.example.com/a.png?v=2'],
    ]);
    expect([...inputs.objects.keys()]).toEqual([`jobs/${JOB_ID}/0000/a.png`]);
    expect(queue.sent.map((m) => m.fileId)).toEqual(['0000', '0001', '0002']);
  });

  it('shows each URL in /v1/results items', async () => {
    const { repo, deps, outputs, clock } = setup();
    await createJob(
      {
        apiKeyId: 'k',
        fields: { ...IMAGE, image_url: 'https://cdn.example.com/cat.png' },
        files: [],
      },
      deps,
    );
    const results = await getResults(JOB_ID, { repo, outputs, clock, urlSeconds: 60 });
    expect(results.items).toEqual([
      expect.objectContaining({ input: 'cat.png', source_url: 'https://cdn.example.com/cat.png' }),
    ]);
  });

  it('refuses http unless the deployment allows it, naming image_url', async () => {
    const { deps } = setup();
    const request = {
      apiKeyId: 'k',
      fields: { ...IMAGE, image_url: 'http://cdn.example.com/cat.png' },
      files: [],
    };
    const refused = await rejection(createJob(request, deps));
    expect(refused).toMatchObject({ code: 'INVALID_REQUEST', field: 'image_url' });
    await createJob(request, { ...deps, imageUrlRules: { allowHttp: true } });
  });

  it('refuses image_url for video and beside an uploads list', async () => {
    const { deps } = setup();
    const video = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: { convert_to: 'video-backgroundremover', image_url: 'https://x.example/a.png' },
          files: [],
        },
        deps,
      ),
    );
    expect(video).toMatchObject({ code: 'INVALID_REQUEST', field: 'image_url' });
    expect((video as Error).message).toContain('images only');
    const uploads = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: {
            ...IMAGE,
            image_url: 'https://x.example/a.png',
            uploads: JSON.stringify([{ filename: 'b.png', size: 10, content_type: 'image/png' }]),
          },
          files: [],
        },
        deps,
      ),
    );
    expect((uploads as Error).message).toBe(
      'image_url: send either image URLs or an uploads list, not both',
    );
  });

  it('counts URLs with the parts against the file cap', async () => {
    const { deps } = setup();
    const refused = await rejection(
      createJob(
        {
          apiKeyId: 'k',
          fields: {
            ...IMAGE,
            image_url: ['https://x.example/1.png', 'https://x.example/2.png'],
          },
          files: [inlinePart('a.png', 'image/png', 4)],
        },
        { ...deps, limits: { maxFiles: 2 } },
      ),
    );
    expect((refused as Error).message).toBe(
      'image_url: at most 2 files per request (file parts and image URLs together), got 3',
    );
  });
});
