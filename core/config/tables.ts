import { RESOURCES } from './resources.ts';

/**
 * DynamoDB key schemas shared by the CDK app, the local emulators and the adapters, so the
 * table the code queries is the table that gets created. Attribute types follow DynamoDB's
 * letters (S = string).
 */

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface TableDefinition {
  /** Logical name: the local stack's physical name and the CDK construct id. */
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Epoch-seconds attribute DynamoDB TTL deletes by; readers also treat a past value as gone. */
  readonly timeToLiveAttribute?: string;
}

/** One item per job (sk `JOB`) and one per file (sk `FILE#<fileId>`), all under the job uuid. */
export const JOBS_TABLE = {
  name: RESOURCES.jobsTable,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/** One item per API key, keyed by the key's sha256 (hex); the key itself is never stored. */
export const KEYS_TABLE = {
  name: RESOURCES.keysTable,
  partitionKey: { name: 'keyHash', type: 'S' },
} as const satisfies TableDefinition;

export const TABLES: readonly TableDefinition[] = [JOBS_TABLE, KEYS_TABLE];

export const JOB_SORT_KEY = 'JOB';
export const FILE_SORT_KEY_PREFIX = 'FILE#';
