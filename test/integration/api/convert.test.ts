import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../core/jobs/api-keys.ts';
import { parseJobMessage } from '../../../core/jobs/job-message.ts';
import { createConvertHandler } from '../../../functions/convert/create-handler.ts';
import { parseConvertEnv } from '../../../functions/convert/env.ts';
import { AVAILABLE_MODELS_ENV } from '../../../functions/shared/env-schema.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import {
  convertEvent,
  json,
  jsonEvent,
  lambdaContext,
  type multipart,
  proxyEvent,
} from '../../support/emulators-events.ts';

/** Contract tests of POST /v1/convert: the real handler module against fauxqs + dynalite. */

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let aws: EmulatedAws;
let convert: Handler;
let key: string;
const INLINE_LIMIT = 256 * 1024;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

beforeAll(async () => {
  aws = await startEmulatedAws({}, { INLINE_LIMIT_BYTES: String(INLINE_LIMIT) });
  ({ handler: convert } = await import('../../../functions/convert/handler.ts'));
  ({ key } = await createApiKey({ name: 'contract' }, { keys: aws.keys }));
});
afterAll(async () => aws?.stop());

async function post(
  parts: Parameters<typeof multipart>[0],
  headers: Record<string, string> = { Authorization: key },
): Promise<APIGatewayProxyResult> {
  return convert(await convertEvent(parts, { headers }), lambdaContext('convert'));
}

describe('POST /v1/convert', () => {
  it('answers 401 without a key and with an unknown key', async () => {
    const none = await post(
      [
        ['convert_to', 'image-backgroundremover'],
        ['files', PNG, 'a.png', 'image/png'],
      ],
      {},
    );
    expect(none.statusCode).toBe(401);
    expect(json(none).error).toMatch(/Authorization/);
    const bad = await post(
      [
        ['convert_to', 'image-backgroundremover'],
        ['files', PNG, 'a.png', 'image/png'],
      ],
      {
        Authorization: 'not-a-real-key-at-all-123',
      },
    );
    expect(bad.statusCode).toBe(401);
  });

  it('accepts the key bare and in the Bearer form, and queues an id-only message', async () => {
    for (const header of [key, `Bearer ${key}`]) {
      const response = await post(
        [
          ['lang', 'en'],
          ['convert_to', 'image-backgroundremover'],
          ['files', PNG, 'a.png', 'image/png'],
        ],
        { authorization: header },
      );
      expect(response.statusCode).toBe(200);
      const { uuid } = json(response);
      expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
      const messages = await aws.receive(aws.emulators.resources.imageQueueUrl);
      expect(messages.map((m) => parseJobMessage(m.body))).toEqual([
        { v: 1, jobId: uuid, fileId: '0000', kind: 'image' },
      ]);
      expect(messages[0]?.body.length).toBeLessThan(200);
    }
  });

  it('uses the authorizer context when API Gateway ran the authorizer', async () => {
    const response = await convert(
      await convertEvent(
        [
          ['convert_to', 'image-backgroundremover'],
          ['files', PNG, 'a.png', 'image/png'],
        ],
        {
          path: '/v1/convert',
          authorizer: { apiKeyId: 'key_fromauthorizer', principalId: 'key_fromauthorizer' },
        },
      ),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(200);
    const stored = await aws.repo.getJob(String(json(response).uuid));
    expect(stored?.job.apiKeyId).toBe('key_fromauthorizer');
    await aws.receive(aws.emulators.resources.imageQueueUrl);
  });

  it('takes the PHP client form file[0], file[1] with every seed field, ignoring unknown fields', async () => {
    const response = await post([
      ['lang', 'en'],
      ['convert_to', 'image-backgroundremover'],
      ['model', 'u2netp'],
      ['alpha_matting', 'true'],
      ['alpha_fg', '230'],
      ['alpha_bg', '15'],
      ['alpha_erode', '5'],
      ['alpha_base_size', '800'],
      ['only_mask', 'false'],
      ['bg_type', 'color'],
      ['bg_color_value', '#112233'],
      ['something_new', 'whatever'],
      ['file[1]', PNG, 'second.png', 'image/png'],
      ['file[0]', PNG, 'first.jpg', 'application/octet-stream'],
    ]);
    expect(response.statusCode).toBe(200);
    const stored = await aws.repo.getJob(String(json(response).uuid));
    expect(stored?.files.map((f) => f.outputName)).toEqual(['first.png', 'second.png']);
    expect(stored?.job.options).toMatchObject({
      kind: 'image',
      model: 'u2netp',
      alphaMatting: {
        enabled: true,
        foregroundThreshold: 230,
        backgroundThreshold: 15,
        erodeSize: 5,
        baseSize: 800,
      },
      onlyMask: false,
      background: { type: 'color' },
    });
    expect(await aws.inputs.head(stored?.files[0]?.inputKey ?? '')).toMatchObject({
      contentType: 'image/jpeg',
    });
    await aws.receive(aws.emulators.resources.imageQueueUrl);
  });

  it('takes the video fields and queues on the video queue', async () => {
    const response = await post([
      ['convert_to', 'video-backgroundremover'],
      ['video_format', 'gif_con_bg'],
      ['video_bg_color_enabled', 'on'],
      ['video_bg_color', '#00ff00'],
      ['framerate', '12'],
      ['frame_limit', '30'],
      ['files', new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]), 'clip.mp4', 'video/mp4'],
    ]);
    expect(response.statusCode).toBe(200);
    const stored = await aws.repo.getJob(String(json(response).uuid));
    expect(stored?.job.options).toMatchObject({
      kind: 'video',
      format: 'gif_with_bg',
      framerate: 12,
      frameLimit: 30,
    });
    expect(stored?.files[0]?.outputName).toBe('clip.gif');
    expect(await aws.receive(aws.emulators.resources.videoQueueUrl)).toHaveLength(1);
  });

  it.each([
    ['alpha_fg', '300'],
    ['alpha_erode', '0'],
    ['model', 'nope'],
    ['model', '../evil'],
    ['bg_color_value', 'blue-ish'],
    ['alpha_matting', 'maybe'],
  ])('answers 400 naming %s for a bad value', async (field, value) => {
    const response = await post([
      ['convert_to', 'image-backgroundremover'],
      [field, value],
      ['files', PNG, 'a.png', 'image/png'],
    ]);
    expect(response.statusCode).toBe(400);
    expect(String(json(response).error).startsWith(`${field}:`)).toBe(true);
  });

  it('answers 400 naming convert_to, files and the background part', async () => {
    expect(json(await post([['files', PNG, 'a.png', 'image/png']])).error).toMatch(/^convert_to:/);
    expect(json(await post([['convert_to', 'image-backgroundremover']])).error).toMatch(/^files:/);
    const noBackground = await post([
      ['convert_to', 'image-backgroundremover'],
      ['bg_type', 'image'],
      ['files', PNG, 'a.png', 'image/png'],
    ]);
    expect(noBackground.statusCode).toBe(400);
    expect(json(noBackground).error).toMatch(/^bg_image:/);
  });

  it('stores a background part when bg_type=image', async () => {
    const response = await post([
      ['convert_to', 'image-backgroundremover'],
      ['bg_type', 'image'],
      ['files', PNG, 'a.png', 'image/png'],
      ['bg_image', PNG, 'beach.png', 'image/png'],
    ]);
    expect(response.statusCode).toBe(200);
    const stored = await aws.repo.getJob(String(json(response).uuid));
    expect(await aws.inputs.head(stored?.job.backgroundKey ?? '')).toMatchObject({
      size: PNG.byteLength,
    });
    await aws.receive(aws.emulators.resources.imageQueueUrl);
  });

  it('answers 415 naming the file for a non-image', async () => {
    const response = await post([
      ['convert_to', 'image-backgroundremover'],
      ['files', new TextEncoder().encode('hello'), 'notes.txt', 'text/plain'],
    ]);
    expect(response.statusCode).toBe(415);
    expect(json(response).error).toContain('notes.txt');
  });

  it('answers 413 with the uploads hint for a body over the inline limit', async () => {
    const response = await post([
      ['convert_to', 'image-backgroundremover'],
      ['files', new Uint8Array(INLINE_LIMIT + 10), 'huge.png', 'image/png'],
    ]);
    expect(response.statusCode).toBe(413);
    expect(json(response).error).toMatch(/uploads/);
  });

  it('strips path traversal and control characters from file names', async () => {
    const response = await post([
      ['convert_to', 'image-backgroundremover'],
      ['files', PNG, '../../../etc/pass\twd.png', 'image/png'],
      ['files', PNG, '..\\..\\boot.png', 'image/png'],
    ]);
    expect(response.statusCode).toBe(200);
    const stored = await aws.repo.getJob(String(json(response).uuid));
    for (const f of stored?.files ?? []) {
      expect(f.inputKey.split('/')).toHaveLength(4);
      expect(f.inputKey).not.toContain('..');
    }
    expect(stored?.files.map((f) => f.inputName)).toEqual(['passwd.png', 'boot.png']);
    await aws.receive(aws.emulators.resources.imageQueueUrl);

    const viaUploads = await convert(
      jsonEvent(
        '/v1/convert',
        {
          convert_to: 'image-backgroundremover',
          uploads: [
            { filename: 'a\u0000b/../c\u001b\r\n.png', size: 10, content_type: 'image/png' },
          ],
        },
        { headers: { Authorization: key } },
      ),
      lambdaContext(),
    );
    const body = json(viaUploads) as {
      uuid: string;
      uploads: { filename: string; fields: Record<string, string> }[];
    };
    expect(body.uploads[0]?.filename).toBe('c.png');
    expect(body.uploads[0]?.fields.key).toBe(`jobs/${body.uuid}/0000/c.png`);
  });

  it('refuses raw control characters in a part header as a malformed body, storing nothing', async () => {
    const boundary = '----cutout';
    const raw = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="convert_to"\r\n\r\nimage-backgroundremover\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a\u0007.png"\r\n` +
        `Content-Type: image/png\r\n\r\nabc\r\n--${boundary}--\r\n`,
      'latin1',
    );
    const response = await convert(
      proxyEvent({
        path: '/v1/convert',
        headers: {
          Authorization: key,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
        },
        body: raw,
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(400);
    expect(json(response).error).toMatch(/multipart/);
    expect(await aws.receive(aws.emulators.resources.imageQueueUrl)).toHaveLength(0);
  });

  it('returns presigned targets for an uploads list sent as JSON or urlencoded', async () => {
    const uploads = [
      { filename: 'big photo.jpg', size: 30_000_000, content_type: 'image/jpeg' },
      { filename: 'small.png', size: 1_000, content_type: 'image/png' },
    ];
    const asJson = await convert(
      jsonEvent(
        '/v1/convert',
        { convert_to: 'image-backgroundremover', uploads },
        { headers: { Authorization: key } },
      ),
      lambdaContext(),
    );
    expect(asJson.statusCode).toBe(200);
    const body = json(asJson) as {
      uuid: string;
      uploads: { filename: string; method: string; url: string; fields: Record<string, string> }[];
    };
    expect(body.uploads.map((u) => [u.filename, u.method])).toEqual([
      ['big photo.jpg', 'POST'],
      ['small.png', 'POST'],
    ]);
    expect(body.uploads[0]?.fields.key).toBe(`jobs/${body.uuid}/0000/big photo.jpg`);
    expect((await aws.repo.getJob(body.uuid))?.files.map((f) => f.status)).toEqual([
      'waiting_upload',
      'waiting_upload',
    ]);

    const form = new URLSearchParams({
      convert_to: 'image-backgroundremover',
      uploads: JSON.stringify(uploads.slice(1)),
    });
    const asForm = await convert(
      proxyEvent({
        path: '/v1/convert',
        headers: { Authorization: key, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      }),
      lambdaContext(),
    );
    expect(asForm.statusCode).toBe(200);
    expect((json(asForm).uploads as unknown[]).length).toBe(1);
    expect(await aws.receive(aws.emulators.resources.imageQueueUrl)).toHaveLength(0);
  });

  it('names the bad entry of an uploads list', async () => {
    const response = await convert(
      jsonEvent(
        '/v1/convert',
        {
          convert_to: 'video-backgroundremover',
          uploads: [{ filename: 'a.mp4', size: 10, content_type: 'text/html' }],
        },
        { headers: { Authorization: key } },
      ),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(415);
    expect(json(response).error).toMatch(/^uploads\[0\]\.content_type:/);
  });
});

/** A convert handler built from the test's emulator settings with `env` on top. */
async function convertWith(env: Record<string, string | undefined>): Promise<Handler> {
  const config = parseConvertEnv({
    ...aws.emulators.env(),
    INLINE_LIMIT_BYTES: String(INLINE_LIMIT),
    ...env,
  });
  return createConvertHandler(config, { clients: aws.clients });
}

describe('POST /v1/convert as deployed on AWS', () => {
  it('refuses, with a 400 naming the available ones, a model the workers do not have', async () => {
    const deployed = await convertWith({ [AVAILABLE_MODELS_ENV]: 'u2net,u2netp' });
    const send = async (model: string) => {
      return deployed(
        await convertEvent(
          [
            ['convert_to', 'image-backgroundremover'],
            ['model', model],
            ['files', PNG, 'a.png', 'image/png'],
          ],
          { authorizer: { apiKeyId: 'key_models', principalId: 'key_models' } },
        ),
        lambdaContext('convert'),
      );
    };
    const refused = await send('isnet-general-use');
    expect(refused.statusCode).toBe(400);
    expect(json(refused).error).toMatch(/^model: .*isnet-general-use.*u2net, u2netp/);
    expect(await aws.receive(aws.emulators.resources.imageQueueUrl)).toHaveLength(0);
    expect((await send('u2netp')).statusCode).toBe(200);
    expect(await aws.receive(aws.emulators.resources.imageQueueUrl)).toHaveLength(1);
    // The local stack sets no list: every manifest model stays available there.
    const local = await post([
      ['convert_to', 'image-backgroundremover'],
      ['model', 'isnet-general-use'],
      ['files', PNG, 'a.png', 'image/png'],
    ]);
    expect(local.statusCode).toBe(200);
    await aws.receive(aws.emulators.resources.imageQueueUrl);
  });

  it('without a keys table, takes the key only from the authorizer context', async () => {
    const deployed = await convertWith({ KEYS_TABLE_NAME: undefined });
    const send = async (headers: Record<string, string>, authorizer?: Record<string, string>) => {
      return deployed(
        await convertEvent(
          [
            ['convert_to', 'image-backgroundremover'],
            ['files', PNG, 'a.png', 'image/png'],
          ],
          { headers, ...(authorizer ? { authorizer } : {}) },
        ),
        lambdaContext('convert'),
      );
    };
    // A valid key in the header is not enough: nothing here may read the keys table.
    const direct = await send({ Authorization: key });
    expect(direct.statusCode).toBe(401);
    expect(json(direct).error).toMatch(/^Authorization:/);
    const viaGateway = await send({}, { apiKeyId: 'key_gateway', principalId: 'key_gateway' });
    expect(viaGateway.statusCode).toBe(200);
    const stored = await aws.repo.getJob(String(json(viaGateway).uuid));
    expect(stored?.job.apiKeyId).toBe('key_gateway');
    await aws.receive(aws.emulators.resources.imageQueueUrl);
  });

  it('states the inline limit and the uploads way round it in the 413', async () => {
    const response = await post([
      ['convert_to', 'image-backgroundremover'],
      ['files', new Uint8Array(INLINE_LIMIT + 80 * 1024), 'big.png', 'image/png'],
    ]);
    expect(response.statusCode).toBe(413);
    expect(json(response).error).toMatch(
      /^body: .* over the inline limit: 0\.25 MiB \(262144 bytes\) of files per request; send an uploads list/,
    );
  });
});
