import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobRepository } from '../../../adapters/aws/dynamo-job-repository.ts';
import { S3ObjectStore } from '../../../adapters/aws/s3-object-store.ts';
import { createJob } from '../../../core/jobs/create-job.ts';
import type { ReconcileReport } from '../../../core/jobs/reconcile-stranded.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import { emfRecords, jsonLinesWrittenBy } from '../../support/stdout-lines.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { results, startTestStack, waitFinished } from './local-stack-harness.ts';

/**
 * Files stranded on the way to a worker end done after a reconciler run, through the local
 * stack as `npm start` runs it (the reconciler's Lambda handler, real workers, emulators).
 * Thresholds are one second so a run can follow at once; the timer is off and the tests
 * trigger each run.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    reconciler: {
      intervalMs: 0,
      queuedAfterSeconds: 1,
      uploadGraceSeconds: 1,
      abandonUploadAfterSeconds: 1,
    },
  });
});
afterAll(async () => stack?.stop());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function outputKeys(jobId: string): Promise<string[]> {
  const listed = await stack.clients.s3.send(
    new ListObjectsV2Command({
      Bucket: stack.emulators.resources.outputBucket,
      Prefix: `jobs/${jobId}/`,
    }),
  );
  return (listed.Contents ?? []).map((o) => o.Key ?? '');
}

describe('the reconciler in the local stack', () => {
  it('finishes a file whose enqueue failed after its items were written', async () => {
    const { resources } = stack.emulators;
    const failing = {
      send: async () => {
        throw new Error('SendMessage: connection reset');
      },
    };
    let jobId = '';
    await expect(
      createJob(
        {
          apiKeyId: undefined,
          fields: { convert_to: 'image-backgroundremover' },
          files: [
            {
              field: 'files',
              filename: 'stranded.png',
              contentType: 'image/png',
              data: await samplePng(24, 24),
            },
          ],
        },
        {
          repo: new DynamoJobRepository(stack.clients.dynamo, resources.jobsTable),
          inputs: new S3ObjectStore(
            stack.clients.s3,
            stack.clients.s3Presign,
            resources.inputBucket,
          ),
          queue: failing,
          newId: () => {
            jobId = crypto.randomUUID();
            return jobId;
          },
        },
      ),
    ).rejects.toThrow('connection reset');
    // Nothing would ever take it: the file is queued with no message.
    await pause(1_500);
    expect(await results(stack, jobId)).toMatchObject({ finished: false, queue_count: 1 });

    let report: ReconcileReport | undefined;
    const lines = await jsonLinesWrittenBy(async () => {
      report = await stack.reconcile();
    });
    if (!report) throw new Error('no reconciler report');
    expect(report.requeued).toEqual([`${jobId}/0000`]);
    // What the run changed reaches CloudWatch as metrics too (the Lambda's EMF line).
    expect(emfRecords(lines)).toEqual([
      expect.objectContaining({
        ReconcilerUploadsQueued: 0,
        ReconcilerRequeued: 1,
        ReconcilerAbandoned: 0,
      }),
    ]);
    const reply = await waitFinished(stack, jobId);
    expect(reply.failed).toEqual([]);
    expect(reply.files.map((f) => f.filename)).toEqual(['stranded.png']);
    const outputs = await outputKeys(jobId);
    console.log(
      `enqueue failure after the items were written: re-sent ${report.requeued.length}, done ${reply.files.length}, failed ${reply.failed.length}, output objects ${outputs.length}`,
    );
    expect(outputs).toEqual([`jobs/${jobId}/stranded.png`]);
    // Done is done: later runs leave it alone.
    await pause(1_500);
    expect((await stack.reconcile()).requeued).not.toContain(`${jobId}/0000`);
  });

  it('finishes an upload whose S3 event was lost', async () => {
    const image = await samplePng(20, 20);
    const res = await fetch(`${stack.url}/v1/convert/`, {
      method: 'POST',
      headers: { Authorization: stack.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        convert_to: 'image-backgroundremover',
        uploads: [
          { filename: 'lost event.png', size: image.byteLength, content_type: 'image/png' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const { uuid, uploads } = (await res.json()) as {
      uuid: string;
      uploads: { url: string; fields: Record<string, string> }[];
    };
    const target = uploads[0];
    if (!target) throw new Error('no upload target');

    // The object lands, but its event never reaches on-upload.
    stack.emulators.setObjectCreatedListener(undefined);
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append('file', new Blob([image], { type: 'image/png' }), 'lost event.png');
    expect((await fetch(target.url, { method: 'POST', body: form })).status).toBe(204);
    await stack.emulators.uploadsSettled();
    await pause(1_500);
    const stuck = await results(stack, uuid);
    expect(stuck.finished).toBe(false);
    expect(stuck.files).toEqual([]);

    const report = await stack.reconcile();
    expect(report.uploadsQueued).toEqual([`${uuid}/0000`]);
    const reply = await waitFinished(stack, uuid);
    expect(reply.failed).toEqual([]);
    expect(reply.files.map((f) => f.filename)).toEqual(['lost event.png']);
    const outputs = await outputKeys(uuid);
    console.log(
      `lost upload event: queued by the reconciler ${report.uploadsQueued.length}, done ${reply.files.length}, failed ${reply.failed.length}, output objects ${outputs.length}`,
    );
    expect(outputs).toEqual([`jobs/${uuid}/lost event.png`]);
  });

  it('fails an upload that never came and counts it in FilesFailed', async () => {
    const res = await fetch(`${stack.url}/v1/convert/`, {
      method: 'POST',
      headers: { Authorization: stack.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        convert_to: 'image-backgroundremover',
        uploads: [{ filename: 'never sent.png', size: 100, content_type: 'image/png' }],
      }),
    });
    expect(res.status).toBe(200);
    const { uuid } = (await res.json()) as { uuid: string };
    await pause(1_500);

    let report: ReconcileReport | undefined;
    const lines = await jsonLinesWrittenBy(async () => {
      report = await stack.reconcile();
    });
    expect(report?.abandoned).toEqual([`${uuid}/0000`]);
    const metrics = emfRecords(lines);
    expect(metrics).toContainEqual(expect.objectContaining({ ReconcilerAbandoned: 1 }));
    expect(metrics).toContainEqual(
      expect.objectContaining({ Kind: 'image', FilesFailed: 1, failedBy: 'reconciler' }),
    );
  });
});
