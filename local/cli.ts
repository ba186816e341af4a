// First, so `tsx local/cli.ts` (npm run cli) keeps Node's node:sqlite notice off the console too.
import '../bin/node-warnings.js';
import { Command } from 'commander';
import { toCutoutError } from '../core/errors.ts';
import { keysCommand } from './commands/keys.ts';
import { matteCommand } from './commands/matte.ts';
import { modelsCommand } from './commands/models.ts';
import { removeCommand } from './commands/remove.ts';
import { videoCommand } from './commands/video.ts';

/**
 * The `cutout` command line. Each subcommand lives in local/commands/<name>.ts and only wires
 * arguments to core/ and adapters/.
 */
const program = new Command('cutout')
  .description('Background removal for images and video, locally or against a cutout stack')
  .showHelpAfterError();

// Subcommands register themselves here, one line each.
program.addCommand(modelsCommand());
program.addCommand(removeCommand());
program.addCommand(matteCommand());
program.addCommand(keysCommand());
program.addCommand(videoCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const e = toCutoutError(error);
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
}
