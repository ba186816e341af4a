import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sortFileParts } from '../../../functions/shared/convert-parts.ts';
import type { FilePart } from '../../../functions/shared/multipart.ts';
import { readRequestBody } from '../../../functions/shared/request-body.ts';
import { createdObjects, decodeEventKey } from '../../../functions/shared/s3-event.ts';

const part = (field: string, filename = `${field}.png`): FilePart => ({
  field,
  filename,
  contentType: 'image/png',
  data: new Uint8Array([1]),
});

function event(body: Buffer, contentType: string): APIGatewayProxyEvent {
  return {
    body: body.toString('base64'),
    isBase64Encoded: true,
    headers: { 'Content-Type': contentType },
  } as unknown as APIGatewayProxyEvent;
}

describe('sortFileParts', () => {
  it('takes files, file and file[i] parts in index order and picks the background', () => {
    const sorted = sortFileParts([
      part('file[10]'),
      part('bg_image'),
      part('file[2]'),
      part('lang_file'),
      part('files'),
    ]);
    expect(sorted.files.map((f) => f.field)).toEqual(['files', 'file[2]', 'file[10]']);
    expect(sorted.background?.field).toBe('bg_image');
    expect(sortFileParts([part('background')]).background?.field).toBe('background');
  });
});

describe('readRequestBody', () => {
  it('parses multipart fields and files', async () => {
    const form = new FormData();
    form.append('convert_to', 'image-backgroundremover');
    form.append('file[0]', new Blob([new Uint8Array([1, 2])], { type: 'image/png' }), 'a.png');
    const request = new Request('http://x', { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    const parsed = await readRequestBody(event(body, request.headers.get('content-type') ?? ''), {
      maxBytes: 1000,
      maxFiles: 5,
    });
    expect(parsed.fields).toEqual({ convert_to: 'image-backgroundremover' });
    expect(parsed.files).toMatchObject([
      { field: 'file[0]', filename: 'a.png', contentType: 'image/png' },
    ]);
  });

  it('collects repeated image_url values into a list, in multipart and urlencoded bodies', async () => {
    const form = new FormData();
    form.append('image_url', 'https://a.example/1.png');
    form.append('convert_to', 'image-backgroundremover');
    form.append('image_url[]', 'https://a.example/2.png');
    const request = new Request('http://x', { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    const multipart = await readRequestBody(
      event(body, request.headers.get('content-type') ?? ''),
      { maxBytes: 1000, maxFiles: 5 },
    );
    expect(multipart.fields).toEqual({
      image_url: ['https://a.example/1.png', 'https://a.example/2.png'],
      convert_to: 'image-backgroundremover',
    });
    const urlencoded = await readRequestBody(
      event(
        Buffer.from(
          'image_url=https%3A%2F%2Fa.example%2F1.png&image_url=https%3A%2F%2Fa.example%2F2.png',
        ),
        'application/x-www-form-urlencoded',
      ),
      { maxBytes: 1000, maxFiles: 0 },
    );
    expect(urlencoded.fields).toEqual({
      image_url: ['https://a.example/1.png', 'https://a.example/2.png'],
    });
  });

  it('parses urlencoded and JSON bodies', async () => {
    const url = await readRequestBody(
      event(Buffer.from('uuid=abc&lang=en'), 'application/x-www-form-urlencoded'),
      {
        maxBytes: 100,
        maxFiles: 0,
      },
    );
    expect(url.fields).toEqual({ uuid: 'abc', lang: 'en' });
    const json = await readRequestBody(event(Buffer.from('{"uuid":"abc"}'), 'application/json'), {
      maxBytes: 100,
      maxFiles: 0,
    });
    expect(json.fields).toEqual({ uuid: 'abc' });
  });

  it('refuses a body over the inline limit with a hint to use uploads', async () => {
    await expect(
      readRequestBody(event(Buffer.alloc(2000), 'multipart/form-data; boundary=x'), {
        maxBytes: 1000,
        maxFiles: 1,
      }),
    ).rejects.toMatchObject({
      code: 'INPUT_TOO_LARGE',
      message: expect.stringContaining('uploads'),
    });
  });

  it('names malformed JSON', async () => {
    await expect(
      readRequestBody(event(Buffer.from('{nope'), 'application/json'), {
        maxBytes: 100,
        maxFiles: 0,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'body' });
  });
});

describe('S3 events', () => {
  it('decodes keys the way S3 encodes them and skips other events', () => {
    expect(decodeEventKey('jobs/a+b/c%2Bd%C3%A9.png')).toBe('jobs/a b/c+dé.png');
    const objects = createdObjects({
      Records: [
        {
          eventName: 'ObjectCreated:Post',
          s3: { bucket: { name: 'in' }, object: { key: 'incoming/x+y.png', size: 3 } },
        },
        { eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'in' }, object: { key: 'z' } } },
      ],
    });
    expect(objects).toEqual([{ bucket: 'in', key: 'incoming/x y.png', size: 3 }]);
    expect(createdObjects({ Service: 'Amazon S3', Event: 's3:TestEvent' })).toEqual([]);
  });
});
