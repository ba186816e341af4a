import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConvertHandler } from '../../../functions/convert/create-handler.ts';
import { parseConvertEnv } from '../../../functions/convert/env.ts';
import { COMMERCIAL_SAFE_ONLY_ENV } from '../../../functions/shared/env-schema.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { convertEvent, json, lambdaContext } from '../../support/emulators-events.ts';

/**
 * `commercialSafeOnly` (CUTOUT_COMMERCIAL_SAFE_ONLY): the real convert handler against fauxqs and
 * dynalite refuses non-permissively licensed models with a 400 naming `model` and the licence,
 * and queues nothing for them.
 */

let aws: EmulatedAws;
beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => aws?.stop());

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

function convertWith(env: Record<string, string | undefined>) {
  const handler = createConvertHandler(parseConvertEnv({ ...aws.emulators.env(), ...env }), {
    clients: aws.clients,
  });
  return async (model: string): Promise<APIGatewayProxyResult> =>
    handler(
      await convertEvent(
        [
          ['convert_to', 'image-backgroundremover'],
          ['model', model],
          ['files', PNG, 'a.png', 'image/png'],
        ],
        { authorizer: { apiKeyId: 'key_licence', principalId: 'key_licence' } },
      ),
      lambdaContext('convert'),
    );
}

describe('POST /v1/convert with commercialSafeOnly', () => {
  it('refuses AGPL models (and aliases to them) by name and licence, runs permissive ones', async () => {
    const send = convertWith({
      [COMMERCIAL_SAFE_ONLY_ENV]: 'true',
      CUTOUT_MODEL_ALIASES: 'u2netp=isnet-imgly-quint8',
    });
    const refused = await send('isnet-imgly');
    expect(refused.statusCode).toBe(400);
    expect(json(refused).error).toMatch(/^model: .*"isnet-imgly" is licensed AGPL-3\.0/);
    const aliased = await send('u2netp');
    expect(aliased.statusCode).toBe(400);
    expect(json(aliased).error).toMatch(
      /^model: .*"u2netp" \(served by "isnet-imgly-quint8"\) is licensed AGPL-3\.0/,
    );
    expect(await aws.receive(aws.emulators.resources.imageQueueUrl)).toHaveLength(0);

    for (const model of ['birefnet-general', 'ben2-base', 'u2net']) {
      expect((await send(model)).statusCode, model).toBe(200);
    }
    expect(await aws.receive(aws.emulators.resources.imageQueueUrl)).toHaveLength(3);
  });

  it('runs every model when the setting is off (the default)', async () => {
    const send = convertWith({});
    expect((await send('isnet-imgly')).statusCode).toBe(200);
    expect(await aws.receive(aws.emulators.resources.imageQueueUrl)).toHaveLength(1);
  });

  it('refuses a value that is not a boolean, naming the variable', () => {
    expect(() =>
      parseConvertEnv({ ...aws.emulators.env(), [COMMERCIAL_SAFE_ONLY_ENV]: 'maybe' }),
    ).toThrow(/CUTOUT_COMMERCIAL_SAFE_ONLY/);
  });
});
