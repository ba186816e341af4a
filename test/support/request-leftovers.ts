import { DeleteBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EmulatedAws } from './emulators.ts';

/**
 * What one failed request (one job id, one bucket) may have left behind in the emulators:
 * objects, in-progress multipart uploads, job or file items, messages naming the job. Tests of
 * a failure expect an empty list. (leftovers.ts takes whole-emulator snapshots instead.)
 *
 * fauxqs 2.4.1 answers ListMultipartUploads with an object listing (never an upload), so an
 * in-progress upload is found the way S3 finds it before deleting a bucket: DeleteBucket is
 * refused (BucketNotEmpty) while one exists. Hence each test writes into a bucket of its own
 * (scratchBucket), which the check deletes when it finds it clean.
 */

let buckets = 0;

/** A new empty bucket for one test's uploads. */
export function scratchBucket(aws: EmulatedAws): string {
  buckets += 1;
  const name = `leftover-check-${process.pid}-${buckets}`;
  aws.emulators.fauxqs.createBucket(name);
  return name;
}

export async function requestLeftovers(
  aws: EmulatedAws,
  scope: { readonly bucket: string; readonly jobId: string },
): Promise<string[]> {
  const found: string[] = [];
  const { s3, dynamo } = aws.clients;
  const refusedDelete = (error: unknown) => error as { name?: string };
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: scope.bucket }));
  for (const object of listed.Contents ?? []) found.push(`object ${object.Key}`);
  if (found.length === 0) {
    const refused = await s3
      .send(new DeleteBucketCommand({ Bucket: scope.bucket }))
      .then(() => undefined)
      .catch(refusedDelete);
    if (refused) found.push(`in-progress multipart upload in ${scope.bucket} (${refused.name})`);
  }
  const items = await dynamo.send(
    new QueryCommand({
      TableName: aws.emulators.resources.jobsTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': scope.jobId },
      ConsistentRead: true,
    }),
  );
  for (const item of items.Items ?? []) found.push(`item ${String(item.pk)}/${String(item.sk)}`);
  const { resources } = aws.emulators;
  for (const url of [
    resources.imageQueueUrl,
    resources.videoQueueUrl,
    resources.imageDeadLetterQueueUrl,
    resources.videoDeadLetterQueueUrl,
  ]) {
    const name = url.slice(url.lastIndexOf('/') + 1);
    const queue = aws.emulators.fauxqs.inspectQueue(name);
    const messages = [
      ...(queue?.messages.ready ?? []),
      ...(queue?.messages.delayed ?? []),
      ...(queue?.messages.inflight.map((m) => m.message) ?? []),
    ];
    for (const message of messages) {
      if (message.body.includes(scope.jobId)) found.push(`message in ${name}: ${message.body}`);
    }
  }
  return found;
}
