import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  readStreamForm,
  type StreamedPart,
  type StreamFormLimits,
} from '../../../../containers/ingest/stream-form.ts';
import { CutoutError } from '../../../../core/errors.ts';
import { rejection } from '../../../support/rejection.ts';
import { type FormPart, streamedForm } from '../../../support/streamed-form.ts';

/** The streaming multipart reader on generated bodies, with a consumer that counts bytes. */

const LIMITS: StreamFormLimits = {
  maxImageBytes: 100_000,
  maxUploadBytes: 300_000,
  maxFileParts: 5,
  maxFields: 20,
  maxFieldBytes: 1024,
};

interface Counted {
  readonly field: string;
  readonly filename: string;
  readonly size: number;
  readonly maxBytes: number;
}

/** Reads each part to its end (or its failure), recording what it saw and when it settled. */
function counter() {
  const settled: string[] = [];
  const read = new Map<string, number>();
  const onFile = (part: StreamedPart): Promise<Counted> =>
    (async () => {
      let size = 0;
      try {
        for await (const chunk of part.body) {
          size += chunk.byteLength;
          read.set(part.filename, size);
        }
        return { field: part.field, filename: part.filename, size, maxBytes: part.maxBytes };
      } finally {
        // A consumer's clean-up takes a while (an aborted multipart upload): the form waits.
        await new Promise((resolve) => setTimeout(resolve, 20));
        settled.push(part.filename);
      }
    })();
  return { onFile, settled, read };
}

function read(parts: readonly FormPart[], options: { cutAfterBytes?: number } = {}) {
  const form = streamedForm(parts, options);
  const consumer = counter();
  const result = readStreamForm(form.body, form.contentType, {
    limits: LIMITS,
    onFile: consumer.onFile,
  });
  return { result, ...consumer, body: form.body };
}

describe('readStreamForm', () => {
  it('collects fields sent after the files, and hands over several files in arrival order', async () => {
    const { result } = read([
      { field: 'file[1]', filename: 'b.png', contentType: 'image/png', data: 70_000 },
      { field: 'file[0]', filename: 'a.png', contentType: 'image/png', data: 5 },
      { field: 'convert_to', value: 'image-backgroundremover' },
      { field: 'lang', value: 'en' },
    ]);
    const form = await result;
    expect(form.fields).toEqual({ convert_to: 'image-backgroundremover', lang: 'en' });
    // Before convert_to arrived, the larger cap (videos') applied to both files.
    expect(form.files).toEqual([
      { field: 'file[1]', filename: 'b.png', size: 70_000, maxBytes: 300_000 },
      { field: 'file[0]', filename: 'a.png', size: 5, maxBytes: 300_000 },
    ]);
  });

  it("applies the kind's cap once convert_to was seen", async () => {
    const image = await read([
      { field: 'convert_to', value: 'image-backgroundremover' },
      { field: 'files', filename: 'a.png', contentType: 'image/png', data: 10 },
    ]).result;
    const video = await read([
      { field: 'convert_to', value: 'video-backgroundremover' },
      { field: 'files', filename: 'a.mp4', contentType: 'video/mp4', data: 10 },
    ]).result;
    expect([image.files[0]?.maxBytes, video.files[0]?.maxBytes]).toEqual([100_000, 300_000]);
  });

  it('cuts a file over the cap while it streams: 413 naming the field, the file and the limit', async () => {
    const {
      result,
      read: seen,
      settled,
    } = read([
      { field: 'convert_to', value: 'image-backgroundremover' },
      { field: 'files', filename: 'huge.png', contentType: 'image/png', data: 5_000_000 },
      { field: 'lang', value: 'en' },
    ]);
    const error = await rejection(result);
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toBe(
      "files: 'huge.png' is over the 0.10 MiB (100000 bytes) limit for images",
    );
    expect(error.field).toBe('files');
    // The consumer never got a byte past the cap, and had settled before the form rejected.
    expect(seen.get('huge.png')).toBeLessThanOrEqual(100_000);
    expect(settled).toEqual(['huge.png']);
  });

  it('refuses a file part without a file name, naming its field', async () => {
    for (const contentType of ['image/png', 'application/octet-stream']) {
      const error = await rejection(
        read([
          { field: 'convert_to', value: 'image-backgroundremover' },
          { field: 'file[0]', contentType, data: 100 },
        ]).result,
      );
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(/^file\[0\]: this part has no file name/);
    }
  });

  it('drains file parts of unknown fields without handing them over', async () => {
    const form = await read([
      { field: 'attachment', filename: 'x.bin', data: 200_000 },
      { field: 'files', filename: 'a.png', contentType: 'image/png', data: 3 },
      { field: 'convert_to', value: 'image-backgroundremover' },
    ]).result;
    expect(form.files.map((f) => f.filename)).toEqual(['a.png']);
  });

  it('refuses malformed bodies: no boundary, a body that stops before the end of the form', async () => {
    const consumer = counter();
    const noBoundary = await rejection(
      readStreamForm(streamedForm([]).body, 'multipart/form-data', {
        limits: LIMITS,
        onFile: consumer.onFile,
      }),
    );
    expect(noBoundary.message).toBe('Content-Type: multipart boundary missing');

    const form = streamedForm([{ field: 'convert_to', value: 'image-backgroundremover' }]);
    const boundary = form.contentType.split('boundary=')[1];
    const truncated = Readable.from([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="convert_to"\r\n\r\nima`),
    ]);
    const error = await rejection(
      readStreamForm(truncated, form.contentType, { limits: LIMITS, onFile: consumer.onFile }),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toMatch(/^body: malformed multipart\/form-data/);
  });

  it('fails a file whose client disconnects mid-part, after its consumer has settled', async () => {
    const {
      result,
      settled,
      read: seen,
    } = read(
      [
        { field: 'convert_to', value: 'video-backgroundremover' },
        { field: 'files', filename: 'clip.mp4', contentType: 'video/mp4', data: 250_000 },
      ],
      { cutAfterBytes: 120_000 },
    );
    const error = await rejection(result);
    expect(error.message).toBe('body: the request was cut off');
    expect(settled).toEqual(['clip.mp4']);
    expect(seen.get('clip.mp4')).toBeLessThan(250_000);
  });

  it("rejects with the signal's reason when the server aborts the request", async () => {
    const form = streamedForm([
      { field: 'files', filename: 'clip.mp4', contentType: 'video/mp4', data: 250_000 },
    ]);
    const controller = new AbortController();
    const reason = new CutoutError('DEADLINE_EXCEEDED', 'request idle for 60 s');
    const settled: string[] = [];
    const result = readStreamForm(form.body, form.contentType, {
      limits: LIMITS,
      signal: controller.signal,
      onFile: (part) =>
        (async () => {
          try {
            for await (const _chunk of part.body) controller.abort(reason);
          } finally {
            settled.push(part.filename);
          }
        })(),
    });
    expect(await result.catch((e: unknown) => e)).toBe(reason);
    expect(settled).toEqual(['clip.mp4']);
  });

  it('limits file parts, fields and field sizes', async () => {
    const many = Array.from({ length: 6 }, (_, i) => ({
      field: 'files',
      filename: `${i}.png`,
      contentType: 'image/png',
      data: 1,
    }));
    expect((await rejection(read(many).result)).message).toBe(
      'files: at most 5 file parts per request',
    );
    expect(
      (await rejection(read([{ field: 'lang', value: 'x'.repeat(1025) }]).result)).message,
    ).toMatch(/^lang: is over the 0.00 MiB \(1024 bytes\) limit/);
    const fields = Array.from({ length: 21 }, (_, i) => ({ field: `f${i}`, value: 'v' }));
    expect((await rejection(read(fields).result)).message).toBe(
      'body: at most 20 fields per request',
    );
  });
});
