import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configurationTable,
  undescribedVariables,
  withConfigurationTable,
} from '../../../scripts/config-table.ts';

const OPERATIONS = join(import.meta.dirname, '..', '..', '..', 'docs', 'operations.md');

describe("the operations guide's configuration table", () => {
  it('is what the schemas generate (run `npm run docs:config` after changing one)', async () => {
    const committed = await readFile(OPERATIONS, 'utf8');
    expect(committed).toBe(withConfigurationTable(committed));
  });

  it('gives every variable of every entry point a meaning', () => {
    expect(undescribedVariables()).toEqual([]);
  });

  it('names each variable with its type, default and readers', () => {
    const table = configurationTable();
    expect(table).toContain('| `JOBS_TABLE_NAME` | string | **required** |');
    expect(table).toContain('| `CUTOUT_MODEL_DOWNLOAD` | boolean | `true` |');
    expect(table).toMatch(/\| `RESPONSE_LIMIT_BYTES` \| number \| `4194304` \| files, ingest \|/);
  });

  it('replaces only the text between its markers', () => {
    const start = '<!-- config-table:start (npm run docs:config writes this table) -->';
    const doc = `before\n${start}\nold\n<!-- config-table:end -->\nafter\n`;
    expect(withConfigurationTable(doc, 'T')).toBe(
      `before\n${start}\n\nT\n\n<!-- config-table:end -->\nafter\n`,
    );
    expect(() => withConfigurationTable('no markers', 'T')).toThrow(/markers/);
  });
});
