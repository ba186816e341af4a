import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../core/jobs/api-keys.ts';
import { claimUpdate, completeUpdate, failUpdate } from '../../../core/jobs/transitions.ts';
import { createFilesHandler } from '../../../functions/files/create-handler.ts';
import { parseFilesEnv } from '../../../functions/files/env.ts';
import { createResultsHandler } from '../../../functions/results/create-handler.ts';
import { parseResultsEnv } from '../../../functions/results/env.ts';
import { BIND_RESULTS_ENV } from '../../../functions/shared/env-schema.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import {
  convertEvent,
  json,
  jsonEvent,
  lambdaContext,
  multipart,
  proxyEvent,
} from '../../support/emulators-events.ts';

/** Contract tests of POST /v1/results and GET /v1/files against the emulators. */

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let aws: EmulatedAws;
let convert: Handler;
let results: Handler;
let files: Handler;
let key: string;
const RESPONSE_LIMIT = 1000;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

beforeAll(async () => {
  aws = await startEmulatedAws({}, { RESPONSE_LIMIT_BYTES: String(RESPONSE_LIMIT) });
  ({ handler: convert } = await import('../../../functions/convert/handler.ts'));
  ({ handler: results } = await import('../../../functions/results/handler.ts'));
  ({ handler: files } = await import('../../../functions/files/handler.ts'));
  ({ key } = await createApiKey({ name: 'contract' }, { keys: aws.keys }));
});
afterAll(async () => aws?.stop());

async function newJob(names: string[]): Promise<string> {
  const response = await convert(
    await convertEvent(
      [
        ['convert_to', 'image-backgroundremover'],
        ...names.map((n) => ['files', PNG, n, 'image/png'] as const),
      ],
      { headers: { Authorization: key } },
    ),
    lambdaContext(),
  );
  await aws.receive(aws.emulators.resources.imageQueueUrl);
  return String(json(response).uuid);
}

/** What a worker does for a successful file, through the real repository and bucket. */
async function finish(jobId: string, fileId: string, output: Uint8Array): Promise<void> {
  const claim = claimUpdate({ jobId, fileId }, Date.now(), 60_000, 'worker-1');
  const file = await aws.repo.updateFile(claim);
  await aws.outputs.put(file?.outputKey ?? '', output, { contentType: 'image/png' });
  await aws.repo.updateFile(
    completeUpdate(
      claim,
      'worker-1',
      {
        modelId: 'u2net',
        warnings: [],
        outputContentType: 'image/png',
        outputSize: output.byteLength,
      },
      Date.now(),
    ),
  );
}

function resultsBy(body: string, contentType: string): Promise<APIGatewayProxyResult> {
  return results(
    proxyEvent({ path: '/v1/results/', headers: { 'Content-Type': contentType }, body }),
    lambdaContext(),
  );
}

describe('POST /v1/results', () => {
  it('answers 404 for an unknown uuid and 400 without one', async () => {
    const unknown = await resultsBy(
      'uuid=00000000-0000-4000-8000-000000000000',
      'application/x-www-form-urlencoded',
    );
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).error).toMatch(/^uuid:/);
    expect(
      (await resultsBy('uuid=conversion_uuid', 'application/x-www-form-urlencoded')).statusCode,
    ).toBe(404);
    const none = await resultsBy('', 'application/x-www-form-urlencoded');
    expect(none.statusCode).toBe(400);
    expect(json(none).error).toMatch(/^uuid:/);
  });

  it('has every seed key while pending, taking uuid as urlencoded, multipart or JSON, no key needed', async () => {
    const uuid = await newJob(['a.png']);
    const form = await multipart([['uuid', uuid]]);
    for (const response of [
      await resultsBy(`uuid=${uuid}`, 'application/x-www-form-urlencoded'),
      await resultsBy(form.body.toString('latin1'), form.contentType),
      await resultsBy(JSON.stringify({ uuid }), 'application/json'),
    ]) {
      expect(response.statusCode).toBe(200);
      expect(json(response)).toMatchObject({
        files: [],
        failed: [],
        finished: false,
        queue_count: 1,
        errors: [],
        status: 'queued',
        progress: 0,
      });
    }
  });

  it('lists done files with host-relative urls and absolute download urls, and failures with reasons', async () => {
    const uuid = await newJob(['one.png', 'two words.png', 'three.png']);
    await finish(uuid, '0000', new Uint8Array([1, 2, 3]));
    await finish(uuid, '0001', new Uint8Array(RESPONSE_LIMIT + 1));
    await aws.repo.updateFile(
      failUpdate({ jobId: uuid, fileId: '0002' }, 'three.png: not a decodable image', Date.now()),
    );

    const body = json(await resultsBy(`uuid=${uuid}`, 'application/x-www-form-urlencoded')) as {
      files: { url: string; filename: string; download_url: string }[];
      failed: unknown[];
      finished: boolean;
      queue_count: number;
    };
    expect(body.finished).toBe(true);
    expect(body.queue_count).toBe(0);
    expect(body.files.map((f) => [f.filename, f.url])).toEqual([
      ['one.png', `/v1/files/${uuid}/one.png`],
      ['two words.png', `/v1/files/${uuid}/two%20words.png`],
    ]);
    expect(body.failed).toEqual([
      { filename: 'three.png', error: 'three.png: not a decodable image' },
    ]);
    const download = await fetch(body.files[0]?.download_url ?? '');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe('GET /v1/files/{uuid}/{name}', () => {
  function get(uuid: string, name: string): Promise<APIGatewayProxyResult> {
    return files(
      proxyEvent({
        method: 'GET',
        path: `/v1/files/${uuid}/${name}`,
        resource: '/v1/files/{uuid}/{name}',
        pathParameters: { uuid, name },
      }),
      lambdaContext(),
    );
  }

  it('answers the bytes when they fit and a 302 to a presigned URL when they do not', async () => {
    const uuid = await newJob(['small.png', 'large.png', 'later.png']);
    await finish(uuid, '0000', new Uint8Array([5, 6, 7]));
    await finish(uuid, '0001', new Uint8Array(RESPONSE_LIMIT + 5).fill(4));

    const small = await get(uuid, 'small.png');
    expect(small.statusCode).toBe(200);
    expect(small.isBase64Encoded).toBe(true);
    expect(Buffer.from(small.body, 'base64')).toEqual(Buffer.from([5, 6, 7]));
    expect(small.headers?.['Content-Type']).toBe('image/png');
    expect(small.headers?.['Content-Disposition']).toContain('small.png');

    const large = await get(uuid, 'large.png');
    expect(large.statusCode).toBe(302);
    const location = String(large.headers?.Location);
    expect(location).toMatch(/X-Amz-Signature=/);
    expect((await fetch(location)).status).toBe(200);

    const pending = await get(uuid, 'later.png');
    expect(pending.statusCode).toBe(409);
    expect(json(pending).error).toContain('later.png');
  });

  it('answers 404 for unknown jobs, unknown names and traversal attempts', async () => {
    const uuid = await newJob(['x.png']);
    await finish(uuid, '0000', new Uint8Array([1]));
    expect((await get('00000000-0000-4000-8000-000000000000', 'x.png')).statusCode).toBe(404);
    expect((await get(uuid, 'y.png')).statusCode).toBe(404);
    expect((await get(uuid, '..%2F..%2Fx.png')).statusCode).toBe(404);
    expect((await get(uuid, 'x.png')).statusCode).toBe(200);
  });
});

describe('cutout:bindResultsToKey', () => {
  const OWNER = 'key_owner_0001';
  const OTHER = 'key_other_0002';

  /** A job created through convert as API Gateway calls it: the authorizer names the key. */
  async function jobOf(apiKeyId: string): Promise<string> {
    const response = await convert(
      await convertEvent(
        [
          ['convert_to', 'image-backgroundremover'],
          ['files', PNG, 'bound.png', 'image/png'],
        ],
        { authorizer: { apiKeyId, principalId: apiKeyId } },
      ),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(200);
    await aws.receive(aws.emulators.resources.imageQueueUrl);
    const uuid = String(json(response).uuid);
    await finish(uuid, '0000', new Uint8Array([7]));
    return uuid;
  }

  const poll = (handler: Handler, uuid: string, apiKeyId?: string) =>
    handler(
      jsonEvent(
        '/v1/results/',
        { uuid },
        { ...(apiKeyId ? { authorizer: { apiKeyId, principalId: apiKeyId } } : {}) },
      ),
      lambdaContext(),
    );
  const download = (handler: Handler, uuid: string, apiKeyId?: string) =>
    handler(
      proxyEvent({
        method: 'GET',
        path: `/v1/files/${uuid}/bound.png`,
        resource: '/v1/files/{uuid}/{name}',
        pathParameters: { uuid, name: 'bound.png' },
        ...(apiKeyId ? { authorizer: { apiKeyId, principalId: apiKeyId } } : {}),
      }),
      lambdaContext(),
    );

  it('off (the default): the uuid alone reads the job, whoever asks', async () => {
    const uuid = await jobOf(OWNER);
    expect((await poll(results, uuid)).statusCode).toBe(200);
    expect((await poll(results, uuid, OTHER)).statusCode).toBe(200);
    expect((await download(files, uuid)).statusCode).toBe(200);
  });

  it('on: only the creating key reads the job; others get 404, no key 401', async () => {
    const uuid = await jobOf(OWNER);
    // As deployed: the flag on and no keys table (the authorizer's context names the key).
    const settings = {
      ...aws.emulators.env(),
      RESPONSE_LIMIT_BYTES: String(RESPONSE_LIMIT),
      [BIND_RESULTS_ENV]: 'true',
      KEYS_TABLE_NAME: undefined,
    };
    const deps = { clients: aws.clients };
    const bound = {
      results: createResultsHandler(parseResultsEnv(settings), deps),
      files: createFilesHandler(parseFilesEnv(settings), deps),
    };

    const mine = await poll(bound.results, uuid, OWNER);
    expect(mine.statusCode).toBe(200);
    expect(json(mine).files).toHaveLength(1);
    const theirs = await poll(bound.results, uuid, OTHER);
    expect(theirs.statusCode).toBe(404);
    expect(json(theirs).error).toMatch(/^uuid: no job/);
    const anonymous = await poll(bound.results, uuid);
    expect(anonymous.statusCode).toBe(401);
    expect(json(anonymous).error).toMatch(/Authorization/);

    expect((await download(bound.files, uuid, OWNER)).statusCode).toBe(200);
    expect((await download(bound.files, uuid, OTHER)).statusCode).toBe(404);
    expect((await download(bound.files, uuid)).statusCode).toBe(401);
  });
});
