import { get } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../adapters/aws/clients.ts';
import type { EmfRecord } from '../../../adapters/observability/metrics.ts';
import { INGEST_ENV, INGEST_HEALTH_PATH, parseIngestEnv } from '../../../containers/ingest/env.ts';
import type { IngestServer } from '../../../containers/ingest/ingest-server.ts';
import { startIngestService } from '../../../containers/ingest/ingest-service.ts';
import { createApiKey } from '../../../core/jobs/api-keys.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { type Leftovers, leftovers } from '../../support/leftovers.ts';
import {
  closing,
  fieldsPart,
  fileHead,
  MULTIPART_TYPE,
  postParts,
  rawPost,
  syntheticVideo,
} from '../../support/multipart-stream.ts';
import { type LoggedLine, recordingLog } from '../../support/recording-log.ts';
import { recordMultipartUploads, type UploadLedger } from '../../support/s3-upload-ledger.ts';

/**
 * The streaming front door's server (containers/ingest) against the emulators, as a client
 * sees it over HTTP: what is refused before the body is read, the idle timeout, a client that
 * disconnects, the small routes through the Lambda handlers, the web page and the health check,
 * and that nothing refused or cut leaves an object, an open upload, an item or a message.
 */

let aws: EmulatedAws;
let ledger: UploadLedger;
let key: string;
let server: IngestServer;
let lines: LoggedLine[];
const emf: EmfRecord[] = [];

const DEV_KEY = 'ck_development_key_for_the_page_0123456789';

beforeAll(async () => {
  aws = await startEmulatedAws();
  ({ key } = await createApiKey({ name: 'ingest' }, { keys: aws.keys }));
  const clients = createAwsClients({
    region: aws.emulators.region,
    endpoints: aws.emulators.endpoints,
  });
  ledger = recordMultipartUploads(clients.s3);
  const recorded = recordingLog('debug');
  lines = recorded.lines;
  const config = parseIngestEnv({
    ...process.env,
    [INGEST_ENV.port]: '0',
    [INGEST_ENV.host]: '127.0.0.1',
    [INGEST_ENV.idleTimeoutSeconds]: '1',
    // Enough for the other tests; the rate test spends the rest.
    [INGEST_ENV.rateLimit]: '50',
    [INGEST_ENV.burstLimit]: '50',
  });
  server = await startIngestService(config, {
    clients,
    log: recorded.log,
    metrics: (record) => emf.push(record),
    devKey: DEV_KEY,
  });
});

afterAll(async () => {
  await server?.close();
  await aws?.stop();
});

const convertUrl = () => `${server.url}/v1/convert/`;

async function snapshot(): Promise<Leftovers> {
  return leftovers(aws, ledger);
}

/** A request whose body the server must refuse without reading: headers only, body never sent. */
function headersOnly(headers: Record<string, string>) {
  const post = rawPost(convertUrl(), {
    'content-type': MULTIPART_TYPE,
    'content-length': String(50 * 1024 * 1024),
    ...headers,
  });
  return post;
}

describe('the streaming front door', () => {
  it('answers the health check and HEAD on it', async () => {
    const res = await fetch(`${server.url}${INGEST_HEALTH_PATH}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    const head = await fetch(`${server.url}${INGEST_HEALTH_PATH}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('serves the web page, with the development key only for loopback visitors', async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    expect(page).toContain('<html');
    expect(page).toContain(DEV_KEY);
    // Through a proxy or a tunnel the peer is loopback but the Host is not: no key.
    const proxied = await getWithHost(`${server.url}/`, 'cutout.example.com');
    expect(proxied.status).toBe(200);
    expect(proxied.body).toContain('<html');
    expect(proxied.body).not.toContain(DEV_KEY);
  });

  it('answers unknown paths 404 and wrong methods 405 in the API error shape', async () => {
    const missing = await fetch(`${server.url}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: '/v2/nothing: no such route',
      code: 'NOT_FOUND',
    });
    const wrong = await fetch(convertUrl());
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await wrong.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });

  it('refuses a missing or unknown key with 401 before reading any of the body', async () => {
    const before = await snapshot();
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'ck_not_a_key_anyone_was_given_0000' },
    ];
    for (const headers of refused) {
      const post = headersOnly(headers);
      // The body is never sent: an answer can only come from the headers.
      const reply = await post.reply;
      expect(reply.status).toBe(401);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(reply.headers.connection).toBe('close');
      post.req.destroy();
    }
    expect(await snapshot()).toEqual(before);
  });

  it('converts a multipart upload with fields after the file, through the same job records', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const reply = await postParts(convertUrl(), { authorization: key }, [
      fieldsPart([['lang', 'en']]),
      fileHead({ field: 'files', filename: 'dot.png', contentType: 'image/png' }),
      png,
      closing([['convert_to', 'image-backgroundremover']]),
    ]);
    expect(reply.status).toBe(200);
    const { uuid } = JSON.parse(reply.body) as { uuid: string };
    const stored = await aws.repo.getJob(uuid);
    expect(stored?.job.kind).toBe('image');
    expect(stored?.files.map((f) => [f.inputName, f.size, f.status])).toEqual([
      ['dot.png', png.length, 'queued'],
    ]);
    // /v1/results and /v1/files run the Lambda handlers on the same host.
    const results = await fetch(`${server.url}/v1/results/`, {
      method: 'POST',
      body: new URLSearchParams({ uuid }),
    });
    expect(results.status).toBe(200);
    expect(await results.json()).toMatchObject({ finished: false, queue_count: 1 });
    const early = await fetch(`${server.url}/v1/files/${uuid}/dot.png`);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: 'JOB_CONFLICT' });
    // One access-log line per request, with the key and the bytes that came in.
    const access = lines.find((l) => l.msg === 'request' && l.fields.jobId === uuid);
    expect(access?.fields).toMatchObject({
      method: 'POST',
      path: '/v1/convert/',
      status: 200,
      keyId: stored?.job.apiKeyId,
    });
    expect(access?.fields.bytesIn).toBeGreaterThan(png.length);
    await aws.receive(aws.emulators.resources.imageQueueUrl);
  });

  it('cuts a client that stops sending (408) and leaves nothing behind', async () => {
    const before = await snapshot();
    const post = rawPost(convertUrl(), { 'content-type': MULTIPART_TYPE, authorization: key });
    await post.write(fieldsPart([['convert_to', 'video-backgroundremover']]));
    await post.write(fileHead({ field: 'files', filename: 'slow.mp4', contentType: 'video/mp4' }));
    // More than one S3 part, so a multipart upload is open when the client goes quiet.
    for (const chunk of syntheticVideo(12 * 1024 * 1024)) await post.write(chunk);
    const reply = await post.reply;
    expect(reply.status).toBe(408);
    expect(JSON.parse(reply.body)).toEqual({
      error: 'body: nothing received for 1 s; the upload was cancelled',
      code: 'REQUEST_TIMEOUT',
    });
    post.req.destroy();
    expect(ledger.aborted()).toBeGreaterThan(0);
    expect(emf.filter((r) => r.IngestUploadsAborted === 1).map((r) => r.cause)).toEqual(['idle']);
    expect(await snapshot()).toEqual(before);
  });

  it('aborts the upload of a client that disconnects mid-part and leaves nothing behind', async () => {
    const before = await snapshot();
    const aborted = ledger.aborted();
    const post = rawPost(convertUrl(), { 'content-type': MULTIPART_TYPE, authorization: key });
    await post.write(fieldsPart([['convert_to', 'video-backgroundremover']]));
    await post.write(fileHead({ field: 'files', filename: 'gone.mp4', contentType: 'video/mp4' }));
    for (const chunk of syntheticVideo(12 * 1024 * 1024)) await post.write(chunk);
    post.req.destroy();
    await waitUntil(
      async () => ledger.aborted() > aborted && (await snapshot()).openUploads.length === 0,
    );
    const gone = lines.filter((l) => l.msg === 'request' && l.fields.status === 499);
    expect(gone.length).toBeGreaterThan(0);
    expect(emf.filter((r) => r.IngestUploadsAborted === 1).map((r) => r.cause)).toEqual([
      'idle',
      'disconnect',
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a body that is not multipart, JSON or a form (415)', async () => {
    const res = await fetch(convertUrl(), {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA' });
  });

  it('closes the connection of a refused upload rather than reading the rest of it', async () => {
    // A raw socket shows what the server does with the bytes after its answer: it stops
    // taking them and closes, well before a 50 MiB body could have been read.
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/convert/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${MULTIPART_TYPE}\r\n` +
        `Content-Length: ${50 * 1024 * 1024}\r\n\r\n`,
    );
    let answer = '';
    socket.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    socket.on('error', () => undefined);
    // The server closes the connection although the 50 MiB body was never sent: it does not
    // wait to read it (a server reading the body would wait here for ever).
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer.toLowerCase()).toContain('connection: close');
  });
});

describe('per-key rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a key spends its burst', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 80 && !limited; i++) {
      const res = await fetch(convertUrl(), {
        method: 'POST',
        headers: { authorization: key, 'content-type': 'application/json' },
        body: '{}',
      });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited?.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // Before the limit the requests were answered on their merits (400: no convert_to).
    expect(statuses[0]).toBe(400);
  });
});

function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function waitUntil(check: () => Promise<boolean>, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
