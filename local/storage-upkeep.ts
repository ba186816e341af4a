import { join } from 'node:path';
import type { AwsClients } from '../adapters/aws/clients.ts';
import { TABLES } from '../adapters/aws/table-keys.ts';
import type { Log } from '../adapters/observability/log.ts';
import { parseConfig } from '../core/config/contract.ts';
import { ENV } from '../core/config/resources.ts';
import { ttlShape } from '../functions/shared/env-schema.ts';
import { createDiskBudget, type DiskBudget, parseDiskBudget } from './disk-budget.ts';
import { type Emulators, OBJECTS_DIR } from './emulators.ts';
import { type SweepReport, startSweepTimer, sweepExpired } from './ttl-sweeper.ts';

/**
 * What keeps a long-running local stack's data folder bounded: the TTL sweeper on a timer (what
 * DynamoDB TTL and the S3 lifecycle do on AWS) and the disk budget that admits new jobs.
 */

/** Hourly, as AWS's own expiry is not prompt either (DynamoDB TTL takes up to days). */
export const SWEEP_INTERVAL_MS = 60 * 60_000;

export interface StorageUpkeepOptions {
  readonly dataDir: string;
  readonly clients: AwsClients;
  readonly emulators: Emulators;
  /** The user's environment: JOB_TTL_DAYS, CUTOUT_DISK_BUDGET. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Overrides CUTOUT_DISK_BUDGET (the `--disk-budget` flag). */
  readonly budgetBytes?: number;
  /** Default SWEEP_INTERVAL_MS; 0 never (tests call sweep()). */
  readonly sweepIntervalMs?: number;
  readonly log: Log;
}

export interface StorageUpkeep {
  readonly budget: DiskBudget;
  /** One sweep now; `now` (epoch ms) may run ahead of the clock to expire what is not yet due. */
  sweep(now?: number): Promise<SweepReport>;
  stop(): Promise<void>;
}

/** Checks the settings; nothing runs until start(). @throws CutoutError CONFIGURATION */
export function storageSettings(options: Pick<StorageUpkeepOptions, 'env' | 'budgetBytes'>): {
  budgetBytes: number;
  ttlDays: number;
} {
  return {
    budgetBytes: options.budgetBytes ?? parseDiskBudget(options.env),
    ttlDays: parseConfig(ttlShape, options.env)[ENV.jobTtlDays],
  };
}

export function startStorageUpkeep(options: StorageUpkeepOptions): StorageUpkeep {
  const { budgetBytes, ttlDays } = storageSettings(options);
  const { resources } = options.emulators;
  const target = {
    dynamo: options.clients.dynamo,
    s3: options.clients.s3,
    // The emulators create each table under its definition's name.
    tables: TABLES.map((definition) => ({ name: definition.name, definition })),
    buckets: [resources.inputBucket, resources.outputBucket],
    objectTtlDays: ttlDays,
    multipartDir: join(options.dataDir, OBJECTS_DIR, '_multipart'),
  };
  const timer = startSweepTimer(
    async (now) => {
      const report = await sweepExpired(target, now);
      if (report.items + report.objects + report.uploads > 0) {
        options.log.info('sweep.expired', { ...report });
      }
      return report;
    },
    options.sweepIntervalMs ?? SWEEP_INTERVAL_MS,
    (error) => options.log.warn('sweep.failed', { error: String(error) }),
  );
  return {
    budget: createDiskBudget({ dir: options.dataDir, budgetBytes }),
    sweep: timer.run,
    stop: timer.stop,
  };
}
