import { RESOURCES } from '../../core/config/resources.ts';

/**
 * The DynamoDB layout: key schemas, the pending index and the item key prefixes. The adapters
 * read and write by it, and the CDK app and the local emulators create the tables from it, so
 * the table the code queries is the table that gets created. It is storage, not domain, so it
 * lives here and not in core/. Attribute types follow DynamoDB's letters (S = string).
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
  readonly indexes?: readonly IndexDefinition[];
}

/** A global secondary index; `include` lists the non-key attributes it projects. */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly include: readonly string[];
}

/**
 * Sparse index of the files that wait for an upload or a worker (`waiting_upload`, `queued`):
 * only those items carry its keys, and a file leaves it when it starts running or finishes, so
 * the reconciler reads the few stranded candidates instead of scanning the table. The partition
 * is `<status>#<shard>`: spread over PENDING_SHARDS partitions so a busy table never piles every
 * write onto one index partition. The sort key is epoch ms.
 */
export const PENDING_INDEX = {
  name: 'pending',
  partitionKey: { name: 'pendingKey', type: 'S' },
  sortKey: { name: 'pendingSince', type: 'N' },
  include: ['status', 'requeues'],
} as const satisfies IndexDefinition;

export const PENDING_SHARDS = 8;

/** One item per job (sk `JOB`) and one per file (sk `FILE#<fileId>`), all under the job uuid. */
export const JOBS_TABLE = {
  name: RESOURCES.jobsTable,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  indexes: [PENDING_INDEX],
} as const satisfies TableDefinition;

/** One item per API key, keyed by the key's sha256 (hex); the key itself is never stored. */
export const KEYS_TABLE = {
  name: RESOURCES.keysTable,
  partitionKey: { name: 'keyHash', type: 'S' },
} as const satisfies TableDefinition;

export const TABLES: readonly TableDefinition[] = [JOBS_TABLE, KEYS_TABLE];

export const JOB_SORT_KEY = 'JOB';
export const FILE_SORT_KEY_PREFIX = 'FILE#';
/**
 * An `incoming/` object's dedupe record: pk `INCOMING#<sha256 of bucket, key, ETag>`, holding
 * the random job id its first event chose (never a job uuid, so no job lookup can reach it).
 */
export const INCOMING_KEY_PREFIX = 'INCOMING#';
export const INCOMING_SORT_KEY = 'INCOMING';
