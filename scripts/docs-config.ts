import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withConfigurationTable } from './config-table.ts';

/** `npm run docs:config`: rewrites docs/operations.md's configuration table from the schemas. */
const path = join(import.meta.dirname, '..', 'docs', 'operations.md');
await writeFile(path, withConfigurationTable(await readFile(path, 'utf8')));
process.stdout.write(`wrote the configuration table in ${path}\n`);
