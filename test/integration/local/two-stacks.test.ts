import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVAILABLE_MODELS_ENV } from '../../../functions/shared/env-schema.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * Two local stacks in one process, each with its own emulators, handlers and workers: the
 * handlers are built from configuration objects, so neither stack's settings reach the other
 * through the process's environment (which neither writes).
 */

let first: LocalStack;
let second: LocalStack;
let envBefore: Record<string, string | undefined>;

beforeAll(async () => {
  envBefore = { ...process.env };
  first = await startTestStack({ workers: 1 });
  // The second stack's convert offers one model only, as a deployment with one model would.
  second = await startTestStack({
    workers: 1,
    env: { ...process.env, [AVAILABLE_MODELS_ENV]: 'u2net' },
  });
});

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

async function convert(
  stack: LocalStack,
  name: string,
  png: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  form.append('files', new Blob([png], { type: 'image/png' }), name);
  const res = await fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: stack.apiKey },
    body: form,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { uuid: string }).uuid;
}

async function resultsStatus(stack: LocalStack, uuid: string): Promise<number> {
  const res = await fetch(`${stack.url}/v1/results/`, {
    method: 'POST',
    body: new URLSearchParams({ uuid }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('two local stacks in one process', () => {
  it('leave the process environment as it was', () => {
    expect({ ...process.env }).toEqual(envBefore);
  });

  it('run on separate emulators with separate keys', () => {
    expect(second.emulators.endpoints.dynamodb).not.toBe(first.emulators.endpoints.dynamodb);
    expect(second.emulators.endpoints.sqs).not.toBe(first.emulators.endpoints.sqs);
    expect(second.url).not.toBe(first.url);
    expect(second.apiKey).not.toBe(first.apiKey);
  });

  it('each finish their own job, and neither sees the other’s', async () => {
    const png = await samplePng(24, 16);
    const [a, b] = await Promise.all([
      convert(first, 'first.png', png),
      convert(second, 'second.png', png),
    ]);
    const [doneA, doneB] = await Promise.all([waitFinished(first, a), waitFinished(second, b)]);
    expect(doneA.files.map((f) => f.filename)).toEqual(['first.png']);
    expect(doneB.files.map((f) => f.filename)).toEqual(['second.png']);
    expect(doneA.failed).toEqual([]);
    expect(doneB.failed).toEqual([]);

    expect(await resultsStatus(first, b)).toBe(404);
    expect(await resultsStatus(second, a)).toBe(404);
    // A stack's key is unknown to the other stack's keys table.
    const crossKey = await fetch(`${second.url}/v1/convert/`, {
      method: 'POST',
      headers: { Authorization: first.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ convert_to: 'image-backgroundremover', uploads: [] }),
    });
    expect(crossKey.status).toBe(401);
  });

  it('each read their own settings', async () => {
    const withModel = (model: string) => {
      const form = new FormData();
      form.append('convert_to', 'image-backgroundremover');
      form.append('model', model);
      form.append('files', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]), 'm.png');
      return form;
    };
    const send = (stack: LocalStack) =>
      fetch(`${stack.url}/v1/convert/`, {
        method: 'POST',
        headers: { Authorization: stack.apiKey },
        body: withModel('u2netp'),
      });
    const [onFirst, onSecond] = await Promise.all([send(first), send(second)]);
    expect(onFirst.status).toBe(200);
    expect(onSecond.status).toBe(400);
    expect(await onSecond.text()).toContain('u2netp');
    await onFirst.arrayBuffer();
  });

  it('refuse to start on a bad setting, naming it', async () => {
    await expect(
      startTestStack({ workers: 0, env: { ...process.env, LOG_LEVEL: 'loud' } }),
    ).rejects.toThrow(/LOG_LEVEL/);
  });
});
