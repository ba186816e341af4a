import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryObjects } from 'node:v8';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abstractLevelIteratorClasses } from '../../../local/dynalite-iterators.ts';
import { type EmulatedAws, startEmulatedAws } from '../../support/emulators.ts';
import { forcedGc } from '../../support/forced-gc.ts';

/**
 * Every Query and Scan dynalite answers opens a LevelDB iterator; unclosed, each stays attached
 * to its database for the life of the process (and on disk pins a LevelDB snapshot): the
 * local stack's memory grew with every /v1/results poll. After many reads, no more iterators
 * are alive than before them.
 */

const READS = 300;
const gc = forcedGc();

function liveIterators(): number {
  gc();
  return abstractLevelIteratorClasses().reduce(
    (sum, c) => sum + queryObjects(c as never, { format: 'count' }),
    0,
  );
}

for (const storage of ['memory', 'disk'] as const) {
  describe(`dynalite reads (${storage})`, () => {
    let aws: EmulatedAws;
    let dataDir: string | undefined;

    beforeAll(async () => {
      dataDir = storage === 'disk' ? await mkdtemp(join(tmpdir(), 'cutout-iterators-')) : undefined;
      aws = await startEmulatedAws(dataDir ? { dataDir, queuesInMemory: true } : {});
    });

    afterAll(async () => {
      await aws?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it(`leaves no iterator open after ${READS} queries and scans`, async () => {
      const table = aws.emulators.resources.jobsTable;
      const before = liveIterators();
      for (let i = 0; i < READS; i++) {
        const query = aws.clients.dynamo.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `job-${i}` },
          }),
        );
        await (i % 10 === 0
          ? Promise.all([
              query,
              aws.clients.dynamo.send(new ScanCommand({ TableName: table, Limit: 5 })),
            ])
          : query);
      }
      const after = liveIterators();
      expect(after - before).toBeLessThan(10);
    });
  });
}
