import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const FILTER = fileURLToPath(new URL('../../../bin/node-warnings.js', import.meta.url));
const run = promisify(execFile);

/** Runs a module in a fresh Node with the filter preloaded, as scripts/env.sh does. */
async function stderrOf(source: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const { stderr } = await run(
    process.execPath,
    ['--import', FILTER, '--input-type=module', '--eval', source],
    { env },
  );
  return stderr;
}

describe("the filter of Node's own warnings", () => {
  it("drops node:sqlite's experimental notice and prints every other warning", async () => {
    const stderr = await stderrOf(
      "await import('node:sqlite'); process.emitWarning('something else', 'ExperimentalWarning'); process.emitWarning('a deprecation', 'DeprecationWarning');",
    );
    expect(stderr).not.toContain('SQLite');
    expect(stderr).toContain('ExperimentalWarning: something else');
    expect(stderr).toContain('DeprecationWarning: a deprecation');
  });
});
