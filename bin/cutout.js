#!/usr/bin/env node
// The `cutout` command from a clone: compiled on first use (bin/cli-build.js), else through tsx.
//
// cutout needs Node 22.5 or newer (node:sqlite, used by the local emulators). On an older Node
// this file re-runs itself with the Node 22 that scripts/env.sh fetches into .tools/node22 (what
// `npm start` and `npm test` run on), so `npx cutout ...` works wherever those do. Everything
// before that check stays plain JavaScript that any Node can parse.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIRED = [22, 5];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

if (major < REQUIRED[0] || (major === REQUIRED[0] && minor < REQUIRED[1])) {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  // The same place scripts/env.sh puts it.
  const tools = process.env.CUTOUT_TOOLS_DIR || join(root, '.tools');
  const node22 = join(tools, 'node22', 'package', 'bin', 'node');
  if (!existsSync(node22)) {
    process.stderr.write(
      `cutout: needs Node ${REQUIRED.join('.')} or newer, this is v${process.versions.node}; run \`npm start\` (or \`scripts/env.sh true\`) once in ${root}: it fetches Node 22 into ${join(tools, 'node22')}\n`,
    );
    process.exit(1);
  }
  const child = spawn(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Ctrl+C reaches both processes (one process group): this one waits for the real one to finish.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`cutout: cannot run ${node22}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal === 'SIGINT' ? 130 : 1));
  });
} else {
  await import('./node-warnings.js');
  // The compiled build (bin/cli-build.js) when it can be had, else the sources through tsx.
  const { compiledCli } = await import('./cli-build.js');
  const compiled = await compiledCli();
  if (compiled) {
    await import(compiled);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../local/cli.ts');
  }
}
