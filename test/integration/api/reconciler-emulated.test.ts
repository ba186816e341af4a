import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '../../../adapters/aws/sqs-job-queue.ts';
import { PENDING_INDEX } from '../../../adapters/aws/table-keys.ts';
import { createJob } from '../../../core/jobs/create-job.ts';
import { incomingObjectHash } from '../../../core/jobs/incoming-job.ts';
import { parseJobMessage } from '../../../core/jobs/job-message.ts';
import {
  type ReconcileSettings,
  reconcileStranded,
} from '../../../core/jobs/reconcile-stranded.ts';
import { claimUpdate, completeUpdate } from '../../../core/jobs/transitions.ts';
import { objectCreatedEvent, startEmulators, waitForTable } from '../../../local/emulators.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { lambdaContext } from '../../support/emulators-events.ts';
import { FakeClock } from '../../unit/core/jobs/memory-ports.ts';

/**
 * The reconciler's use case on the real adapters: DynamoDB's sparse pending index (dynalite),
 * S3 heads and SQS sends (fauxqs), with a fake clock so thresholds are exact. No workers run,
 * so every message the reconciler sends stays on the queue to be counted.
 */

const MINUTE = 60_000;
const SETTINGS: ReconcileSettings = {
  queuedAfterMs: 10 * MINUTE,
  uploadGraceMs: MINUTE,
  abandonUploadAfterMs: 120 * MINUTE,
  maxFiles: 100,
};

let aws: EmulatedAws;
let queue: SqsJobQueue;
let onUpload: (event: S3Event) => Promise<unknown>;

beforeAll(async () => {
  aws = await startEmulatedAws();
  const { resources } = aws.emulators;
  queue = new SqsJobQueue(aws.clients.sqs, {
    image: resources.imageQueueUrl,
    video: resources.videoQueueUrl,
  });
  const module = await import('../../../functions/on-upload/handler.ts');
  onUpload = (event) => module.handler(event, lambdaContext('on-upload'));
});
afterAll(async () => aws?.stop());

function reconcile(clock: FakeClock) {
  return reconcileStranded({
    repo: aws.repo,
    inputs: aws.inputs,
    queue,
    clock,
    settings: SETTINGS,
  });
}

async function imageMessages(): Promise<string[]> {
  const received = await aws.receive(aws.emulators.resources.imageQueueUrl, { waitSeconds: 0 });
  return received.map((m) => {
    const message = parseJobMessage(m.body);
    return `${message.jobId}/${message.fileId}`;
  });
}

/** Inline files written and marked queued, but the send after createJob failed. */
async function strandedInlineJob(clock: FakeClock, count: number): Promise<string> {
  const failing = {
    send: async () => {
      throw new Error('SendMessage: connection reset');
    },
  };
  const files = Array.from({ length: count }, (_, i) => ({
    field: 'files',
    filename: `f${i}.png`,
    contentType: 'image/png',
    data: new Uint8Array([i + 1]),
  }));
  let jobId = '';
  await expect(
    createJob(
      { apiKeyId: 'k', fields: { convert_to: 'image-backgroundremover' }, files },
      {
        repo: aws.repo,
        inputs: aws.inputs,
        queue: failing,
        clock,
        newId: () => {
          jobId = crypto.randomUUID();
          return jobId;
        },
      },
    ),
  ).rejects.toThrow('connection reset');
  return jobId;
}

describe('reconciler on the emulators', () => {
  it('never sends a file that is running or done, and the index drops them', async () => {
    const clock = new FakeClock(Date.now());
    const jobId = await strandedInlineJob(clock, 3);
    const lease = await aws.repo.updateFile(
      claimUpdate({ jobId, fileId: '0000' }, clock.now(), 60 * MINUTE, 'lease-0'),
    );
    expect(lease?.status).toBe('running');
    await aws.repo.updateFile(
      claimUpdate({ jobId, fileId: '0001' }, clock.now(), MINUTE, 'lease-1'),
    );
    const done = await aws.repo.updateFile(
      completeUpdate(
        { jobId, fileId: '0001' },
        'lease-1',
        { modelId: 'u2net', warnings: [], outputContentType: 'image/png', outputSize: 1 },
        clock.now(),
      ),
    );
    expect(done?.status).toBe('done');

    clock.advance(SETTINGS.queuedAfterMs);
    const report = await reconcile(clock);
    // Only the file still queued: the running and the done one are out of the index.
    expect(report.requeued.filter((id) => id.startsWith(jobId))).toEqual([`${jobId}/0002`]);
    expect((await imageMessages()).filter((id) => id.startsWith(jobId))).toEqual([`${jobId}/0002`]);
    const stored = await aws.clients.dynamo.send(
      new GetCommand({
        TableName: aws.emulators.resources.jobsTable,
        Key: { pk: jobId, sk: 'FILE#0000' },
      }),
    );
    expect(stored.Item).not.toHaveProperty('pendingKey');
    expect(stored.Item).not.toHaveProperty('pendingSince');
    expect(await aws.repo.getFile(jobId, '0000')).toMatchObject({
      status: 'running',
      leaseToken: 'lease-0',
    });
    expect((await aws.repo.getFile(jobId, '0001'))?.status).toBe('done');
  });

  it('sends a file again once, and not again before its back-off has passed', async () => {
    const clock = new FakeClock(Date.now());
    const jobId = await strandedInlineJob(clock, 1);
    const mine = (ids: readonly string[]) => ids.filter((id) => id.startsWith(jobId));

    clock.advance(SETTINGS.queuedAfterMs - 1);
    expect(mine((await reconcile(clock)).requeued)).toEqual([]);
    clock.advance(1);
    expect(mine((await reconcile(clock)).requeued)).toEqual([`${jobId}/0000`]);
    // Runs go on every few minutes; the next send is due only after twice the threshold.
    for (const step of [MINUTE, 5 * MINUTE, 2 * SETTINGS.queuedAfterMs - 6 * MINUTE - 1]) {
      clock.advance(step);
      expect(mine((await reconcile(clock)).requeued)).toEqual([]);
    }
    expect(mine(await imageMessages())).toEqual([`${jobId}/0000`]);
    clock.advance(1);
    expect(mine((await reconcile(clock)).requeued)).toEqual([`${jobId}/0000`]);
    expect(mine(await imageMessages())).toEqual([`${jobId}/0000`]);
  });

  it('queues an upload whose event was lost, reading the object it finds', async () => {
    const clock = new FakeClock(Date.now());
    const { uuid } = await createJob(
      {
        apiKeyId: 'k',
        fields: {
          convert_to: 'image-backgroundremover',
          uploads: [{ filename: 'late.png', size: 10, content_type: 'image/png' }],
        },
        files: [],
      },
      { repo: aws.repo, inputs: aws.inputs, queue, clock },
    );
    aws.emulators.setObjectCreatedListener(undefined);
    await aws.inputs.put(`jobs/${uuid}/0000/late.png`, new Uint8Array(7), {
      contentType: 'image/png',
    });
    clock.advance(SETTINGS.uploadGraceMs);
    const report = await reconcile(clock);
    expect(report.uploadsQueued).toContain(`${uuid}/0000`);
    expect(await aws.repo.getFile(uuid, '0000')).toMatchObject({ status: 'queued', size: 7 });
    expect((await imageMessages()).filter((id) => id.startsWith(uuid))).toEqual([`${uuid}/0000`]);
  });

  it('keeps an incoming/ object to one random job id across redelivered events', async () => {
    const { inputBucket } = aws.emulators.resources;
    aws.emulators.setObjectCreatedListener(undefined);
    const key = 'incoming/drop/again.png';
    await aws.inputs.put(key, new Uint8Array([9, 9]), { contentType: 'image/png' });
    const head = await aws.inputs.head(key);
    const event = objectCreatedEvent(aws.emulators.region, inputBucket, key, 2, head?.eTag);
    await onUpload(event);
    await onUpload(event);
    const ids = await imageMessages();
    expect(ids).toHaveLength(1);
    const jobId = ids[0]?.split('/')[0] ?? '';
    expect((await aws.repo.getJob(jobId))?.job.source).toBe('incoming');
    // The dedupe record holds the id; the id itself is not derived from the object.
    // Events carry the ETag without its quotes.
    const eTag = head?.eTag?.replaceAll('"', '');
    const hash = incomingObjectHash({ bucket: inputBucket, key, eTag });
    expect(await aws.repo.recordIncomingJob(hash, crypto.randomUUID(), 0)).toBe(jobId);
    expect(jobId).not.toBe(hash.slice(0, 36));
  });

  it('adds the pending index to a jobs table persisted by an older version', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cutout-old-table-'));
    try {
      const old = await startEmulators({ dataDir });
      const db = new DynamoDBClient({
        region: old.region,
        endpoint: old.endpoints.dynamodb,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      const table = old.resources.jobsTable;
      await db.send(new DeleteTableCommand({ TableName: table }));
      await waitForTable(db, table, (status) => status === undefined);
      await db.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      await waitForTable(db, table, (status) => status === 'ACTIVE');
      await db.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: 'kept' }, sk: { S: 'JOB' } },
        }),
      );
      db.destroy();
      await old.stop();

      const again = await startEmulators({ dataDir });
      const check = new DynamoDBClient({
        region: again.region,
        endpoint: again.endpoints.dynamodb,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      const described = await check.send(new DescribeTableCommand({ TableName: table }));
      const kept = await check.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'kept' }, sk: { S: 'JOB' } } }),
      );
      check.destroy();
      await again.stop();
      expect(described.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual([
        PENDING_INDEX.name,
      ]);
      // Rebuilt with its items: local jobs survive the upgrade.
      expect(kept.Item?.pk).toEqual({ S: 'kept' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
