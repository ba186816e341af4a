import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import type { ImageUrlFetcher } from '../../../../core/jobs/image-url-input.ts';
import type { ImageProcessor } from '../../../../core/jobs/ports.ts';
import { processFile } from '../../../../core/jobs/process-file.ts';
import {
  createMemoryJob,
  JOB_ID,
  memoryJobPorts,
  processFileDeps,
} from '../../../support/memory-jobs.ts';

const URL_ = 'https://cdn.example.com/cat.png';
const MESSAGE = { v: 1, jobId: JOB_ID, fileId: '0000', kind: 'image' } as const;
const INPUT_KEY = `jobs/${JOB_ID}/0000/cat.png`;

async function setup() {
  const ports = memoryJobPorts();
  await createMemoryJob(ports, {
    fields: { convert_to: 'image-backgroundremover', image_url: URL_ },
  });
  return ports;
}

async function* chunks(...parts: number[][]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new Uint8Array(part);
}

/** A fetcher answering `answer` and recording the URLs and caps it was asked for. */
function fetcher(answer: () => ReturnType<ImageUrlFetcher>) {
  const calls: { url: string; maxBytes: number }[] = [];
  const fetch: ImageUrlFetcher = (url, options) => {
    calls.push({ url, maxBytes: options.maxBytes });
    return answer();
  };
  return { fetch, calls };
}

const seenInputs: Uint8Array[] = [];
const echo: ImageProcessor = async (input, options) => {
  seenInputs.push(input);
  return {
    data: new Uint8Array([...input, 9]),
    contentType: 'image/png',
    extension: 'png',
    modelId: options.model,
    warnings: [],
  };
};

describe('image_url inputs in the worker', () => {
  it('fetches the URL into the input key under the image cap, then processes it as a part', async () => {
    const ports = await setup();
    const { fetch, calls } = fetcher(async () => ({
      body: chunks([1, 2], [3]),
      contentType: 'image/png',
    }));
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        processors: { image: echo },
        fetchImageUrl: fetch,
        maxImageBytes: 1000,
      }),
    );
    expect(outcome.outcome).toBe('done');
    expect(calls).toEqual([{ url: URL_, maxBytes: 1000 }]);
    expect(await ports.inputs.get(INPUT_KEY)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await ports.outputs.get(`jobs/${JOB_ID}/cat.png`)).toEqual(new Uint8Array([1, 2, 3, 9]));
  });

  it('does not fetch again when an earlier attempt stored the input', async () => {
    const ports = await setup();
    await ports.inputs.put(INPUT_KEY, new Uint8Array([7]));
    const { fetch, calls } = fetcher(async () => {
      throw new Error('not to be called');
    });
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, { processors: { image: echo }, fetchImageUrl: fetch }),
    );
    expect(outcome.outcome).toBe('done');
    expect(calls).toEqual([]);
  });

  it.each([
    [
      'a refused address',
      new CutoutError('OUTBOUND_REFUSED', 'cdn.example.com resolves to a private address', {
        subject: null,
      }),
      `cat.png: image_url ${URL_}: cdn.example.com resolves to a private address`,
    ],
    [
      'a 404',
      new CutoutError('OUTBOUND_FAILED', 'answered HTTP 404', { subject: null }),
      `cat.png: image_url ${URL_}: answered HTTP 404`,
    ],
    [
      'a timeout',
      new CutoutError('OUTBOUND_TIMEOUT', 'cdn.example.com: no complete answer within 20000 ms', {
        subject: null,
      }),
      `cat.png: image_url ${URL_}: cdn.example.com: no complete answer within 20000 ms`,
    ],
    [
      'an answer over the cap',
      new CutoutError('INPUT_TOO_LARGE', 'cdn.example.com: the answer is over the 1 KB limit', {
        subject: null,
      }),
      `cat.png: image_url ${URL_}: over the`,
    ],
  ])('fails the file at once on %s, naming the URL', async (_what, thrown, reason) => {
    const ports = await setup();
    const { fetch } = fetcher(async () => {
      throw thrown;
    });
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, { processors: { image: echo }, fetchImageUrl: fetch }),
    );
    expect(outcome.outcome).toBe('failed');
    const file = (await ports.repo.getJob(JOB_ID))?.files[0];
    expect(file?.status).toBe('failed');
    expect(file?.error).toContain(reason);
    expect(file?.attempts).toBe(1);
    expect(await ports.inputs.head(INPUT_KEY)).toBeUndefined();
  });

  it('fails a body over the cap while it streams, storing nothing', async () => {
    const ports = await setup();
    const { fetch } = fetcher(async () => ({
      body: chunks([1, 2, 3], [4, 5, 6]),
      contentType: undefined,
    }));
    const outcome = await processFile(
      MESSAGE,
      processFileDeps(ports, {
        processors: { image: echo },
        fetchImageUrl: fetch,
        maxImageBytes: 4,
      }),
    );
    expect(outcome.outcome).toBe('failed');
    const file = (await ports.repo.getJob(JOB_ID))?.files[0];
    expect(file?.error).toBe(
      `cat.png: image_url ${URL_}: over the 0.00 MiB (4 bytes) limit for images`,
    );
    expect(await ports.inputs.head(INPUT_KEY)).toBeUndefined();
  });

  it('fails an answer that says it is not an image, dropping its body at once', async () => {
    const ports = await setup();
    let discarded = 0;
    const { fetch } = fetcher(async () => ({
      body: chunks([60, 104]),
      contentType: 'text/html; charset=utf-8',
      discard: () => {
        discarded += 1;
      },
    }));
    await processFile(
      MESSAGE,
      processFileDeps(ports, { processors: { image: echo }, fetchImageUrl: fetch }),
    );
    const file = (await ports.repo.getJob(JOB_ID))?.files[0];
    expect(file?.status).toBe('failed');
    expect(file?.error).toBe(`cat.png: image_url ${URL_}: the answer is text/html, not an image`);
    expect(discarded).toBe(1);
  });

  it('fails the file when the worker has no fetcher', async () => {
    const ports = await setup();
    await processFile(MESSAGE, processFileDeps(ports, { processors: { image: echo } }));
    const file = (await ports.repo.getJob(JOB_ID))?.files[0];
    expect(file?.error).toBe(`cat.png: image_url ${URL_}: this worker cannot fetch image URLs`);
  });
});
