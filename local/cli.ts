// First, so `tsx local/cli.ts` (npm run cli) keeps Node's node:sqlite notice off the console too.
import '../bin/node-warnings.js';
import { Command } from 'commander';
import { toCutoutError } from '../core/errors.ts';

/**
 * The `cutout` command line. Each subcommand lives in local/commands/<name>.ts and only wires
 * arguments to core/ and adapters/.
 */
const program = new Command('cutout')
  .description('Background removal for images and video, locally or against a cutout stack')
  .showHelpAfterError();

// Subcommands register themselves here, one line each, in the order `--help` lists them.
const SUBCOMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  models: async () => (await import('./commands/models.ts')).modelsCommand(),
  remove: async () => (await import('./commands/remove.ts')).removeCommand(),
  matte: async () => (await import('./commands/matte.ts')).matteCommand(),
  keys: async () => (await import('./commands/keys.ts')).keysCommand(),
  video: async () => (await import('./commands/video.ts')).videoCommand(),
};

// A run of one subcommand loads that module alone: `keys` and the stack commands pull in the AWS
// SDK and the local emulators, about 1 s of imports on a busy 2-core machine that `remove` never uses.
const named = process.argv[2];
const wanted =
  named !== undefined && Object.hasOwn(SUBCOMMANDS, named) ? [named] : Object.keys(SUBCOMMANDS);
for (const name of wanted) {
  const load = SUBCOMMANDS[name];
  if (load) program.addCommand(await load());
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const e = toCutoutError(error);
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
}
