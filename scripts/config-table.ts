import type { z } from 'zod';
import { modelEnvShape } from '../adapters/models/model-env.ts';
import { ingestEnvShape } from '../containers/ingest/env.ts';
import { workerEnvShape } from '../containers/worker/env.ts';
import { isBooleanFlag } from '../core/config/contract.ts';
import { authorizerEnvShape } from '../functions/authorizer/env.ts';
import { convertEnvShape } from '../functions/convert/env.ts';
import { deliverWebhookEnvShape } from '../functions/deliver-webhook/env.ts';
import { filesEnvShape } from '../functions/files/env.ts';
import { deadLetterEnvShape } from '../functions/on-dead-letter/env.ts';
import { uploadEnvShape } from '../functions/on-upload/env.ts';
import { reconcilerEnvShape } from '../functions/reconciler/env.ts';
import { resultsEnvShape } from '../functions/results/env.ts';
import { diskBudgetShape } from '../local/disk-budget.ts';
import { frontDoorShape } from '../local/front-door.ts';

/**
 * The operations guide's configuration table, generated from the entry points' schemas so it
 * cannot drift from what they parse (`npm run docs:config` writes it; a test compares).
 */

export const TABLE_START = '<!-- config-table:start (npm run docs:config writes this table) -->';
export const TABLE_END = '<!-- config-table:end -->';

/** Each entry point and the schema it parses, in the order the table names them. */
export const ENTRY_POINTS: readonly (readonly [string, z.ZodRawShape])[] = [
  ['convert', convertEnvShape],
  ['results', resultsEnvShape],
  ['files', filesEnvShape],
  ['authorizer', authorizerEnvShape],
  ['on-upload', uploadEnvShape],
  ['on-dead-letter', deadLetterEnvShape],
  ['reconciler', reconcilerEnvShape],
  ['deliver-webhook', deliverWebhookEnvShape],
  ['worker', workerEnvShape],
  ['ingest', ingestEnvShape],
  ['models (worker, CLI, local stack)', modelEnvShape],
  ['local stack (`npm start`)', { ...frontDoorShape, ...diskBudgetShape }],
];

// zod's own definition objects: enough of them to name a type and a default.
interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly defaultValue?: unknown;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly element?: z.ZodType;
  readonly entries?: Readonly<Record<string, string>>;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { def: Def }).def;

function unwrapped(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (!['optional', 'default', 'prefault', 'nullable'].includes(def.type) || !def.innerType) {
      return current;
    }
    current = def.innerType;
  }
}

function typeOf(schema: z.ZodType): string {
  if (isBooleanFlag(unwrapped(schema))) return 'boolean';
  const def = defOf(unwrapped(schema));
  if (def.type === 'enum') {
    const values = Object.values(def.entries ?? {});
    return values.includes('true') && values.includes('false') ? 'boolean' : values.join(' \\| ');
  }
  if (def.type === 'array' && def.element) return `list of ${typeOf(def.element)}`;
  if (def.type === 'pipe' && def.out) {
    const out = typeOf(def.out);
    return out === 'transform' && def.in ? typeOf(def.in) : out;
  }
  return def.type;
}

function defaultOf(schema: z.ZodType): string {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'default') {
      const value = def.defaultValue;
      return `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
    }
    if (def.type === 'optional') return 'unset';
    // A parsed value (`z.string().default(...).transform(...)`): the default is on its input.
    if (def.type === 'pipe' && def.in) {
      current = def.in;
      continue;
    }
    if (!def.innerType) return '**required**';
    current = def.innerType;
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** One row per variable: its type, default and meaning, and every entry point that reads it. */
export function configurationTable(): string {
  const rows = new Map<string, { schema: z.ZodType; readers: string[] }>();
  for (const [entry, shape] of ENTRY_POINTS) {
    for (const [name, schema] of Object.entries(shape)) {
      const row = rows.get(name);
      if (row) row.readers.push(entry);
      else rows.set(name, { schema: schema as z.ZodType, readers: [entry] });
    }
  }
  const lines = [
    '| Variable | Type | Default | Read by | Meaning |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [name, { schema, readers }] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const meaning = schema.description ?? '';
    lines.push(
      `| \`${name}\` | ${typeOf(schema)} | ${defaultOf(schema)} | ${readers.join(', ')} | ${cell(meaning)} |`,
    );
  }
  return lines.join('\n');
}

/** `document` with the text between the markers replaced by the table. */
export function withConfigurationTable(document: string, table = configurationTable()): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`the markers ${TABLE_START} and ${TABLE_END} are missing or out of order`);
  }
  return `${document.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${document.slice(end)}`;
}

/** Variables without a meaning: the table would have an empty cell. */
export function undescribedVariables(): string[] {
  return ENTRY_POINTS.flatMap(([entry, shape]) =>
    Object.entries(shape)
      .filter(([, schema]) => !(schema as z.ZodType).description)
      .map(([name]) => `${entry}: ${name}`),
  );
}
