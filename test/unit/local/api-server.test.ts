import { request } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_INLINE_BODY_BYTES } from '../../../core/config/inline-limit.ts';
import { HTTP_STATUS } from '../../../functions/shared/http.ts';
import { type ApiHandlers, type ApiServer, startApiServer } from '../../../local/api-server.ts';
import { loadWebAssets } from '../../../local/web-assets.ts';

const allow = (principalId: string): APIGatewayAuthorizerResult => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }],
  },
  context: { apiKeyId: 'key_1', quota: 5 },
});

function recordingHandlers() {
  const events: { name: string; event: APIGatewayProxyEvent }[] = [];
  const authorizations: APIGatewayRequestAuthorizerEvent[] = [];
  const respond = (name: string) => async (event: APIGatewayProxyEvent) => {
    events.push({ name, event });
    if (name === 'files') {
      return {
        statusCode: 200,
        headers: { 'Content-Type': 'image/png' },
        body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]).toString('base64'),
        isBase64Encoded: true,
      };
    }
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"ok":true}',
    };
  };
  const handlers: ApiHandlers = {
    convert: respond('convert'),
    results: respond('results'),
    files: respond('files'),
    authorizer: async (event) => {
      authorizations.push(event);
      if (event.headers?.authorization !== 'good-key-0123456789abcdef')
        throw new Error('Unauthorized');
      return allow('key_1');
    },
  };
  return { handlers, events, authorizations };
}

let server: ApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(h: ApiHandlers, extra: { maxBodyBytes?: number } = {}) {
  server = await startApiServer({
    handlers: h,
    port: 0,
    web: await loadWebAssets(),
    devKey: 'dev-key-<"quoted">-0123456789',
    ...extra,
  });
  return server;
}

describe('local API Gateway stand-in', () => {
  it('runs the authorizer before convert and passes its context; multipart arrives base64', async () => {
    const r = recordingHandlers();
    const s = await start(r.handlers);
    const form = new FormData();
    form.append('convert_to', 'image-backgroundremover');
    form.append(
      'files',
      new Blob([new Uint8Array([0, 1, 2, 250])], { type: 'image/png' }),
      'a.png',
    );
    const res = await fetch(`${s.url}/v1/convert/`, {
      method: 'POST',
      body: form,
      headers: { Authorization: 'good-key-0123456789abcdef' },
    });
    expect(res.status).toBe(200);
    expect(r.authorizations).toHaveLength(1);
    expect(r.authorizations[0]?.type).toBe('REQUEST');
    const event = r.events[0]?.event;
    expect(r.events[0]?.name).toBe('convert');
    expect(event?.isBase64Encoded).toBe(true);
    expect(event?.resource).toBe('/v1/convert');
    expect(event?.requestContext.authorizer).toEqual({
      principalId: 'key_1',
      apiKeyId: 'key_1',
      quota: '5',
    });
    const raw = Buffer.from(event?.body ?? '', 'base64');
    expect(raw.includes(Buffer.from([0, 1, 2, 250]))).toBe(true);
    expect(event?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  it('answers 401 with an error body and never calls convert when the key is missing or wrong', async () => {
    const r = recordingHandlers();
    const s = await start(r.handlers);
    for (const headers of [{}, { Authorization: 'nope' }] as Record<string, string>[]) {
      const res = await fetch(`${s.url}/v1/convert`, { method: 'POST', headers, body: 'a=1' });
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatch(/API key/);
    }
    expect(r.events).toHaveLength(0);
  });

  it('passes urlencoded and JSON bodies as text, with no authorizer on results', async () => {
    const r = recordingHandlers();
    const s = await start(r.handlers);
    await fetch(`${s.url}/v1/results/`, {
      method: 'POST',
      body: new URLSearchParams({ uuid: 'u-1' }),
    });
    await fetch(`${s.url}/v1/results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"uuid":"u-2"}',
    });
    expect(r.authorizations).toHaveLength(0);
    expect(r.events.map((e) => [e.event.body, e.event.isBase64Encoded])).toEqual([
      ['uuid=u-1', false],
      ['{"uuid":"u-2"}', false],
    ]);
  });

  it('decodes path parameters and turns a base64 result back into bytes', async () => {
    const r = recordingHandlers();
    const s = await start(r.handlers);
    const res = await fetch(`${s.url}/v1/files/abc/my%20cat.png?x=1&x=2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const event = r.events[0]?.event;
    expect(event?.pathParameters).toEqual({ uuid: 'abc', name: 'my cat.png' });
    expect(event?.multiValueQueryStringParameters).toEqual({ x: ['1', '2'] });
    expect(event?.queryStringParameters).toEqual({ x: '2' });
  });

  it('refuses a body over the payload limit with a hint to use uploads', async () => {
    const r = recordingHandlers();
    const s = await start(r.handlers, { maxBodyBytes: 1000 });
    const res = await fetch(`${s.url}/v1/convert/`, {
      method: 'POST',
      headers: { Authorization: 'good-key-0123456789abcdef', 'content-type': 'image/png' },
      body: new Uint8Array(5000),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toContain('uploads');
    expect(r.events).toHaveLength(0);
  });

  it('holds bodies to what AWS delivers to Lambda by default: the limit passes, a byte more is 413', async () => {
    const r = recordingHandlers();
    const s = await start(r.handlers);
    const send = (bytes: number) =>
      fetch(`${s.url}/v1/convert/`, {
        method: 'POST',
        headers: { Authorization: 'good-key-0123456789abcdef', 'content-type': 'image/png' },
        body: new Uint8Array(bytes),
      });
    expect((await send(MAX_INLINE_BODY_BYTES)).status).toBe(200);
    expect(r.events).toHaveLength(1);
    const refused = await send(MAX_INLINE_BODY_BYTES + 1);
    expect(refused.status).toBe(413);
    const body = await refused.json();
    expect(body.code).toBe('INPUT_TOO_LARGE');
    expect(body.error).toMatch(/4\.45 MiB \(4669440 bytes\).*Lambda's 6 MB event.*"uploads" list/);
    expect(r.events).toHaveLength(1);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const r = recordingHandlers();
    const s = await start(r.handlers);
    expect((await fetch(`${s.url}/v2/convert`, { method: 'POST' })).status).toBe(404);
    const res = await fetch(`${s.url}/v1/convert`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it("answers its own refusals and failures as {error, code}, each code's status but a crash's 502", async () => {
    const r = recordingHandlers();
    const key = { Authorization: 'good-key-0123456789abcdef' };
    const s = await start({
      ...r.handlers,
      results: async () => {
        throw new Error('handler bug at /tmp/scratch/x.ts:1');
      },
      authorizer: async (event) => {
        if (event.headers?.authorization === 'broken-key-0123456789') throw new Error('boom');
        const allowed = allow('key_1');
        if (event.headers?.authorization === 'denied-key-0123456789') {
          return {
            ...allowed,
            policyDocument: {
              Version: '2012-10-17',
              Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: '*' }],
            },
          };
        }
        return allowed;
      },
    });
    const answer = async (res: Response) => ({ status: res.status, body: await res.json() });
    const cases = [
      [await answer(await fetch(`${s.url}/v2/convert`, { method: 'POST' })), 'NOT_FOUND'],
      [await answer(await fetch(`${s.url}/v1/convert`)), 'METHOD_NOT_ALLOWED'],
      [
        await answer(
          await fetch(`${s.url}/v1/convert/`, {
            method: 'POST',
            headers: { Authorization: 'denied-key-0123456789' },
          }),
        ),
        'FORBIDDEN',
      ],
      [
        await answer(
          await fetch(`${s.url}/v1/convert/`, {
            method: 'POST',
            headers: { Authorization: 'broken-key-0123456789' },
          }),
        ),
        'INTERNAL',
      ],
    ] as const;
    for (const [{ status, body }, code] of cases) {
      expect(body, code).toEqual({ error: expect.any(String), code });
      expect(status, code).toBe(HTTP_STATUS[code]);
    }
    const crashed = await answer(
      await fetch(`${s.url}/v1/results/`, { method: 'POST', headers: key, body: 'uuid=x' }),
    );
    // API Gateway's answer to a crashed integration; the handler's text stays in its logs.
    expect(crashed).toEqual({
      status: 502,
      body: { error: 'Internal server error', code: 'INTERNAL' },
    });
  });

  it('serves the page with the development key (escaped) to loopback visitors only', async () => {
    const r = recordingHandlers();
    const s = await start(r.handlers);
    const page = await (await fetch(`${s.url}/`)).text();
    expect(page).toContain('content="dev-key-&lt;&quot;quoted&quot;&gt;-0123456789"');
    // fetch() will not send a foreign Host header; node:http will.
    const foreign = await new Promise<string>((resolve, reject) => {
      request(`${s.url}/`, { headers: { host: 'cutout.example.com' } }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    expect(foreign).toContain('name="cutout-api-key" content=""');
    const script = await fetch(`${s.url}/web/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
  });
});
