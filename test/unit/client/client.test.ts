import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CutoutApiError, CutoutClient } from '../../../client/src/index.ts';

/**
 * The client against a loopback server that answers as the API and S3 do, recording every
 * request it gets: what goes over the wire is checked, not the client's internals.
 */

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

let server: Server;
let base = '';
let seen: Seen[] = [];
/** How many polls of /v1/results answer "not finished" before the job finishes. */
let pollsUntilDone = 0;

async function formOf(request: Seen): Promise<FormData> {
  return new Request('http://x/', {
    method: 'POST',
    headers: { 'content-type': String(request.headers['content-type']) },
    body: Uint8Array.from(request.body),
  }).formData();
}

function answer(request: Seen): {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
} {
  const json = (status: number, body: unknown) => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (request.path === '/v1/convert') {
    if (request.headers.authorization !== 'test-key') {
      return json(401, { error: 'Authorization: no such key', code: 'UNAUTHORIZED' });
    }
    const type = String(request.headers['content-type']);
    if (type.startsWith('application/json')) {
      const uploads = JSON.parse(request.body.toString()).uploads as { filename: string }[];
      return json(200, {
        uuid: 'job-2',
        uploads: uploads.map((u, i) =>
          i === 0
            ? {
                filename: u.filename,
                method: 'POST',
                url: `${base}/s3/post`,
                fields: { key: 'k1', Policy: 'p' },
              }
            : {
                filename: u.filename,
                method: 'multipart',
                upload_id: 'up',
                part_size: 4,
                parts: [1, 2, 3].map((n) => ({ part_number: n, url: `${base}/s3/part/${n}` })),
                complete_url: `${base}/s3/complete`,
              },
        ),
      });
    }
    return json(200, { uuid: 'job-1' });
  }
  if (request.path === '/v1/results') {
    const done = pollsUntilDone-- <= 0;
    return json(200, {
      files: [],
      failed: [],
      finished: done,
      queue_count: done ? 0 : 1,
      errors: [],
      uuid: JSON.parse(request.body.toString()).uuid,
      status: done ? 'done' : 'queued',
      progress: done ? 1 : 0,
      items: [],
    });
  }
  if (request.path === '/v1/files/job-1/cat.png')
    return { status: 200, body: Buffer.from('PNGDATA') };
  if (request.path === '/v1/files/job-1/missing.png') {
    return json(404, { error: 'uuid: no job', code: 'JOB_NOT_FOUND' });
  }
  if (request.path === '/s3/post') return { status: 204, body: '' };
  if (request.path.startsWith('/s3/part/')) {
    return { status: 200, headers: { etag: `"etag-${request.path.slice(-1)}"` }, body: '' };
  }
  if (request.path === '/s3/complete')
    return { status: 200, body: '<CompleteMultipartUploadResult/>' };
  return json(404, { error: 'no such route', code: 'NOT_FOUND' });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: Seen = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      seen.push(request);
      const reply = answer(request);
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

beforeEach(() => {
  seen = [];
  pollsUntilDone = 0;
});

const cat = new File([new Uint8Array([1, 2, 3])], 'cat.jpg', { type: 'image/jpeg' });

describe('CutoutClient', () => {
  it('convert sends the options as fields, the files as parts and the key', async () => {
    const client = new CutoutClient({ baseUrl: `${base}/`, apiKey: 'test-key' });
    const accepted = await client.convert(
      { convert_to: 'image-backgroundremover', alpha_matting: true, alpha_fg: 200 },
      [cat],
    );
    expect(accepted.uuid).toBe('job-1');
    const request = seen[0] as Seen;
    expect(request.method).toBe('POST');
    const form = await formOf(request);
    expect(form.get('convert_to')).toBe('image-backgroundremover');
    expect(form.get('alpha_matting')).toBe('true');
    expect(form.get('alpha_fg')).toBe('200');
    const file = form.get('files') as File;
    expect(file.name).toBe('cat.jpg');
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('convert sends a list option as the field repeated (image_url)', async () => {
    const client = new CutoutClient({ baseUrl: base, apiKey: 'test-key' });
    await client.convert(
      {
        convert_to: 'image-backgroundremover',
        image_url: ['https://a.example/1.png', 'https://a.example/2.png'],
      },
      [],
    );
    const form = await formOf(seen[0] as Seen);
    expect(form.getAll('image_url')).toEqual([
      'https://a.example/1.png',
      'https://a.example/2.png',
    ]);
    expect(form.getAll('files')).toEqual([]);
  });

  it("convert rejects with the API's code and message", async () => {
    const client = new CutoutClient({ baseUrl: base, apiKey: 'wrong' });
    const error = await client
      .convert({ convert_to: 'image-backgroundremover' }, [cat])
      .catch((e) => e);
    expect(error).toBeInstanceOf(CutoutApiError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toBe('Authorization: no such key');
  });

  it('upload sends files that fit the inline limit inline', async () => {
    const client = new CutoutClient({ baseUrl: base, apiKey: 'test-key' });
    const accepted = await client.upload({ convert_to: 'image-backgroundremover' }, [cat]);
    expect(accepted).toMatchObject({ uuid: 'job-1', via: 'inline' });
    expect(seen.map((s) => s.path)).toEqual(['/v1/convert']);
    expect(String(seen[0]?.headers['content-type'])).toMatch(/^multipart\/form-data/);
  });

  it('upload lists larger files and sends each to its presigned target', async () => {
    const client = new CutoutClient({ baseUrl: base, apiKey: 'test-key', inlineLimitBytes: 1000 });
    const big = new File([new TextEncoder().encode('abcdefghij')], 'clip.mp4', {
      type: 'video/mp4',
    });
    const accepted = await client.upload({ convert_to: 'video-backgroundremover' }, [cat, big]);
    expect(accepted).toMatchObject({ uuid: 'job-2', via: 'presigned' });
    expect(JSON.parse(seen[0]?.body.toString() ?? '')).toEqual({
      convert_to: 'video-backgroundremover',
      uploads: [
        { filename: 'cat.jpg', size: 3, content_type: 'image/jpeg' },
        { filename: 'clip.mp4', size: 10, content_type: 'video/mp4' },
      ],
    });
    // The presigned POST: every field, then the file last.
    const post = seen[1] as Seen;
    expect(post.path).toBe('/s3/post');
    const form = await formOf(post);
    const names: string[] = [];
    form.forEach((_, name) => {
      names.push(name);
    });
    expect(names).toEqual(['key', 'Policy', 'file']);
    expect(form.get('key')).toBe('k1');
    // The multipart upload: each slice to its URL, then the ETags in order.
    const parts = seen.filter((s) => s.path.startsWith('/s3/part/'));
    expect(parts.map((p) => [p.method, p.body.toString()])).toEqual([
      ['PUT', 'abcd'],
      ['PUT', 'efgh'],
      ['PUT', 'ij'],
    ]);
    const complete = seen.at(-1) as Seen;
    expect(complete.path).toBe('/s3/complete');
    expect(complete.body.toString()).toBe(
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"etag-1"</ETag></Part>' +
        '<Part><PartNumber>2</PartNumber><ETag>"etag-2"</ETag></Part>' +
        '<Part><PartNumber>3</PartNumber><ETag>"etag-3"</ETag></Part></CompleteMultipartUpload>',
    );
  });

  it('wait polls until the job is finished, reporting progress on the way', async () => {
    const client = new CutoutClient({ baseUrl: base });
    pollsUntilDone = 3;
    const progress: string[] = [];
    const results = await client.wait('job-1', {
      intervalMs: 1,
      maxIntervalMs: 2,
      onProgress: (r) => progress.push(r.status),
    });
    expect(results.finished).toBe(true);
    expect(progress).toEqual(['queued', 'queued', 'queued']);
    expect(seen.filter((s) => s.path === '/v1/results')).toHaveLength(4);
  });

  it('wait gives up after timeoutMs', async () => {
    const client = new CutoutClient({ baseUrl: base });
    pollsUntilDone = Number.POSITIVE_INFINITY;
    const error = await client.wait('job-1', { intervalMs: 20, timeoutMs: 50 }).catch((e) => e);
    expect(error).toBeInstanceOf(CutoutApiError);
    expect(error.code).toBe('DEADLINE_EXCEEDED');
  });

  it("download fetches a result through the API's own path", async () => {
    const client = new CutoutClient({ baseUrl: base });
    const blob = await client.download({
      url: '/v1/files/job-1/cat.png',
      filename: 'cat.png',
      download_url: 'https://elsewhere.invalid/',
      progress: 1,
      warnings: [],
    });
    expect(Buffer.from(await blob.arrayBuffer()).toString()).toBe('PNGDATA');
    const error = await client.download('/v1/files/job-1/missing.png').catch((e) => e);
    expect(error).toMatchObject({ status: 404, code: 'JOB_NOT_FOUND' });
  });
});
