import type { SpyMessage } from 'fauxqs';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/local-stack.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { type ResultsReply, results, startTestStack } from './local-stack-harness.ts';

/**
 * 200 jobs submitted at once through the local API: every one finishes with its own result,
 * none is lost, none is processed into its output twice.
 */

const JOBS = 200;
let stack: LocalStack;
const outputWrites = new Map<string, number>();

beforeAll(async () => {
  stack = await startTestStack({ workers: 4 });
  // Count every object written to the outputs bucket (the emulator's upload notifications).
  const spy = stack.emulators.fauxqs.spy as unknown as { addMessage(m: SpyMessage): void };
  const forward = spy.addMessage.bind(spy);
  spy.addMessage = (m) => {
    forward(m);
    if (
      m.service === 's3' &&
      m.status === 'uploaded' &&
      m.bucket === stack.emulators.resources.outputBucket
    ) {
      outputWrites.set(m.key, (outputWrites.get(m.key) ?? 0) + 1);
    }
  };
});

afterAll(async () => {
  await stack?.stop();
});

describe('many concurrent jobs', () => {
  it(`finishes ${JOBS} concurrent jobs: all results, none duplicated, none lost`, {
    timeout: 180_000,
  }, async () => {
    const png = await samplePng(32, 24, 5);
    const started = Date.now();
    const uuids = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const form = new FormData();
        form.append('convert_to', 'image-backgroundremover');
        form.append('files', new Blob([png], { type: 'image/png' }), `job-${i}.png`);
        const res = await fetch(`${stack.url}/v1/convert/`, {
          method: 'POST',
          headers: { Authorization: stack.apiKey },
          body: form,
        });
        expect(res.status).toBe(200);
        return ((await res.json()) as { uuid: string }).uuid;
      }),
    );
    const submittedMs = Date.now() - started;

    // Polling competes with the workers for the one process: a few at a time, once a second.
    const limit = pLimit(4);
    const finished = new Map<string, ResultsReply>();
    const end = Date.now() + 150_000;
    while (finished.size < JOBS && Date.now() < end) {
      await Promise.all(
        uuids
          .filter((u) => !finished.has(u))
          .map((u) =>
            limit(async () => {
              const reply = await results(stack, u);
              if (reply.finished) finished.set(u, reply);
            }),
          ),
      );
      if (finished.size < JOBS) await new Promise((r) => setTimeout(r, 1_000));
    }
    const totalMs = Date.now() - started;

    const replies = uuids.map((u) => finished.get(u));
    const lost = replies.filter((r) => r === undefined || r.files.length !== 1).length;
    const failed = replies.reduce((n, r) => n + (r?.failed.length ?? 0), 0);
    const duplicated = [...outputWrites.values()].filter((n) => n > 1).length;
    console.log(
      `${JOBS} concurrent jobs: submitted in ${submittedMs} ms, all finished in ${totalMs} ms; ` +
        `${finished.size} finished, ${lost} lost, ${failed} failed, ${outputWrites.size} outputs written, ${duplicated} written twice`,
    );
    expect(new Set(uuids).size).toBe(JOBS);
    expect(lost).toBe(0);
    expect(failed).toBe(0);
    expect(duplicated).toBe(0);
    expect(outputWrites.size).toBe(JOBS);
    for (const [i, uuid] of uuids.entries()) {
      const reply = finished.get(uuid);
      expect(reply?.files[0]?.filename).toBe(`job-${i}.png`);
      expect(outputWrites.get(`jobs/${uuid}/job-${i}.png`)).toBe(1);
    }
  });
});
