import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { JobRepository, KeyStore } from '../../core/jobs/ports.ts';

/**
 * DynamoDB permissions by what the code calls, not by the `grantReadWriteData` families (which
 * add BatchWrite, DeleteItem, Scan, DescribeTable and more). Each role names the repository
 * methods its entry point reaches; the actions come from how adapters/aws implements them
 * (test/infra/table-grants.test.ts checks both against the code).
 */

/** The DynamoDB API calls behind each JobRepository method (adapters/aws/dynamo-job-repository.ts). */
export const JOB_REPOSITORY_ACTIONS: Readonly<Record<keyof JobRepository, readonly string[]>> = {
  createJob: ['dynamodb:PutItem'],
  getJob: ['dynamodb:Query'],
  getFile: ['dynamodb:GetItem'],
  updateFile: ['dynamodb:UpdateItem'],
  listPendingFiles: ['dynamodb:Query'],
  recordIncomingJob: ['dynamodb:PutItem', 'dynamodb:GetItem'],
};

/** The DynamoDB API calls behind each KeyStore method (adapters/aws/dynamo-key-store.ts). */
export const KEY_STORE_ACTIONS: Readonly<Record<keyof KeyStore, readonly string[]>> = {
  put: ['dynamodb:PutItem'],
  findByHash: ['dynamodb:GetItem'],
  list: ['dynamodb:Scan'],
  // `cutout keys revoke` (with the operator's credentials; no role is granted it).
  revoke: ['dynamodb:Scan', 'dynamodb:UpdateItem'],
};

/** Repository methods that read a secondary index rather than the table. */
const INDEX_METHODS: readonly (keyof JobRepository)[] = ['listPendingFiles'];

/** The job-table methods each entry point this file grants for reaches (see the test). */
export const JOB_TABLE_ACCESS = {
  convert: ['createJob'],
  results: ['getJob'],
  files: ['getJob'],
  'on-upload': ['createJob', 'getJob', 'getFile', 'updateFile', 'recordIncomingJob'],
  'on-dead-letter': ['getFile', 'updateFile'],
  worker: ['getJob', 'getFile', 'updateFile'],
  /** The streaming door: convert's, results' and files' together (the same handlers). */
  ingest: ['createJob', 'getJob'],
} as const satisfies Record<string, readonly (keyof JobRepository)[]>;

/** The keys-table methods: only the authorizer reads keys (the CLI writes them, outside AWS roles). */
export const KEY_TABLE_ACCESS = {
  authorizer: ['findByHash'],
} as const satisfies Record<string, readonly (keyof KeyStore)[]>;

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Grants exactly the actions behind `methods` on the jobs table (and its indexes if needed). */
export function grantJobTable(
  grantee: IGrantable,
  table: ITable,
  methods: readonly (keyof JobRepository)[],
): void {
  const tableMethods = methods.filter((m) => !INDEX_METHODS.includes(m));
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: unique(tableMethods.flatMap((m) => JOB_REPOSITORY_ACTIONS[m])),
      resources: [table.tableArn],
    }),
  );
  const indexMethods = methods.filter((m) => INDEX_METHODS.includes(m));
  if (indexMethods.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: unique(indexMethods.flatMap((m) => JOB_REPOSITORY_ACTIONS[m])),
        resources: [`${table.tableArn}/index/*`],
      }),
    );
  }
}

/** Grants exactly the actions behind `methods` on the keys table. */
export function grantKeyTable(
  grantee: IGrantable,
  table: ITable,
  methods: readonly (keyof KeyStore)[],
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: unique(methods.flatMap((m) => KEY_STORE_ACTIONS[m])),
      resources: [table.tableArn],
    }),
  );
}
