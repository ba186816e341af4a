import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/local-stack.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * The local stack started with CUTOUT_COMMERCIAL_SAFE_ONLY=true in its environment, as
 * `CUTOUT_COMMERCIAL_SAFE_ONLY=true npm start` does: /v1/convert refuses the AGPL models with a
 * 400 naming `model` and the licence, and /v1/results names the licence of the model that ran.
 */

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack({
    workers: 1,
    env: { ...process.env, CUTOUT_COMMERCIAL_SAFE_ONLY: 'true', CUTOUT_MODEL_ALIASES: undefined },
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function convert(model: string): Promise<Response> {
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  form.append('model', model);
  form.append('files', new Blob([await samplePng(24, 24)], { type: 'image/png' }), 'shot.png');
  return fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey },
    body: form,
  });
}

describe('model licences through the local stack', () => {
  it('refuses AGPL weights with a 400 naming model and licence', async () => {
    for (const model of ['isnet-imgly', 'isnet-imgly-quint8']) {
      const res = await convert(model);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(new RegExp(`^model: .*"${model}" is licensed AGPL-3\\.0`));
    }
  });

  it('runs a permissive model and reports its licence next to the model id', async () => {
    const res = await convert('u2net');
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    const reply = await waitFinished(stack, uuid, 45_000);
    // The test stack serves u2net with the generated tiny model (Apache-2.0 in the manifest).
    expect(
      reply.files.map((f) => [
        f.filename,
        (f as Record<string, unknown>).model,
        (f as Record<string, unknown>).licence,
      ]),
    ).toEqual([['shot.png', 'tiny', 'Apache-2.0']]);
  });
});
