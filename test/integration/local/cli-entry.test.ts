import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCutout } from '../../support/cli.ts';
import { tinyModelPath } from '../../support/tiny-model.ts';

/**
 * bin/cutout.js as a fresh clone's user meets it: on a Node older than 22.5 it re-runs itself
 * with the Node 22 that scripts/env.sh fetches (or says how to get one), and the commands that
 * open the local emulators (which load node:sqlite) print none of Node's experimental notices.
 */

/** Makes the Node that runs bin/cutout.js report itself as 20.11.1 (its real version is kept). */
const PRETEND_NODE_20 =
  'data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,node:"20.11.1"}})';

let work: string;
beforeAll(async () => {
  await tinyModelPath();
  work = await mkdtemp(join(tmpdir(), 'cutout-cli-entry-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/**
 * A tools folder laid out as scripts/env.sh leaves it, whose `node` notes its arguments and runs
 * the real Node 22 on them.
 */
async function toolsWithNode22(): Promise<{ tools: string; argsFile: string }> {
  const tools = join(work, 'tools');
  const bin = join(tools, 'node22', 'package', 'bin');
  await mkdir(bin, { recursive: true });
  const argsFile = join(work, 'node22-args');
  const script = `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\nexec '${process.execPath}' "$@"\n`;
  await writeFile(join(bin, 'node'), script);
  await chmod(join(bin, 'node'), 0o755);
  return { tools, argsFile };
}

describe('bin/cutout.js on a Node older than 22.5', () => {
  it('runs the command with the Node 22 that scripts/env.sh fetched', async () => {
    const { tools, argsFile } = await toolsWithNode22();
    const result = await runCutout(['models', 'list'], {
      nodeArgs: ['--import', PRETEND_NODE_20],
      env: { CUTOUT_TOOLS_DIR: tools },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^tiny\s+320x320\s+Apache-2\.0\s+yes/m);
    const args = (await readFile(argsFile, 'utf8')).trim().split('\n');
    expect(args).toEqual([expect.stringMatching(/bin[/\\]cutout\.js$/), 'models', 'list']);
  });

  it("passes on the command's exit status", async () => {
    const { tools, argsFile } = await toolsWithNode22();
    const model = await tinyModelPath();
    const result = await runCutout(['remove', join(work, 'missing.png'), '-o', work, '-m', model], {
      nodeArgs: ['--import', PRETEND_NODE_20],
      env: { CUTOUT_TOOLS_DIR: tools },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/missing\.png: INPUT_NOT_FOUND/);
    expect((await readFile(argsFile, 'utf8')).split('\n')[1]).toBe('remove');
  });

  it('says in one line how to get Node 22 when it has not been fetched', async () => {
    const empty = join(work, 'no-tools');
    const result = await runCutout(['models', 'list'], {
      nodeArgs: ['--import', PRETEND_NODE_20],
      env: { CUTOUT_TOOLS_DIR: empty },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `cutout: needs Node 22.5 or newer, this is v20.11.1; run \`npm start\` (or \`scripts/env.sh true\`) once in ${join(import.meta.dirname, '..', '..', '..')}: it fetches Node 22 into ${join(empty, 'node22')}`,
    ]);
  });
});

describe('cutout keys against the local emulators', () => {
  it('creates and lists keys in a stopped stack’s data without any warning from Node', async () => {
    const dataDir = join(work, 'stack-data');
    await mkdir(dataDir);
    const created = await runCutout(['keys', 'create', '--name', 'first', '--data-dir', dataDir]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^ck_\S+\n$/);
    expect(created.stderr).not.toMatch(/Warning|npm warn/i);
    const listed = await runCutout(['keys', 'list', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^ID\tCREATED\tEXPIRES\tREVOKED\tLIMITS\tNAME\nkey_\S+\t\S+\t-\t-\t-\tfirst\n$/,
    );
    expect(listed.stderr).toBe('');
  });
});
