import type { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { JOBS_TABLE, KEYS_TABLE, type TableDefinition } from '../../adapters/aws/table-keys.ts';

export interface JobTablesProps {
  readonly removalPolicy: RemovalPolicy;
  /** Refuse `DeleteTable` (production). */
  readonly deletionProtection: boolean;
}

function attributeType(type: 'S' | 'N'): AttributeType {
  return type === 'S' ? AttributeType.STRING : AttributeType.NUMBER;
}

/**
 * The jobs table (one item per job and per file, expiring by TTL) and the API keys table (hashes
 * only), both on-demand with point-in-time recovery. Key schemas come from adapters/aws/table-keys.ts,
 * which the local stack creates its tables from too.
 */
export class JobTables extends Construct {
  readonly jobs: Table;
  readonly keys: Table;

  constructor(scope: Construct, id: string, props: JobTablesProps) {
    super(scope, id);
    this.jobs = this.table(JOBS_TABLE, props);
    this.keys = this.table(KEYS_TABLE, props);
  }

  private table(definition: TableDefinition, props: JobTablesProps): Table {
    const table = new Table(this, definition.name, {
      partitionKey: {
        name: definition.partitionKey.name,
        type: attributeType(definition.partitionKey.type),
      },
      ...(definition.sortKey && {
        sortKey: { name: definition.sortKey.name, type: attributeType(definition.sortKey.type) },
      }),
      ...(definition.timeToLiveAttribute && {
        timeToLiveAttribute: definition.timeToLiveAttribute,
      }),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    for (const index of definition.indexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: {
          name: index.partitionKey.name,
          type: attributeType(index.partitionKey.type),
        },
        sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey.type) },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.include],
      });
    }
    return table;
  }
}
