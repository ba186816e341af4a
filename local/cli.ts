import { Command } from 'commander';
import { toCutoutError } from '../core/errors.ts';

/**
 * The `cutout` command line. Each subcommand lives in local/commands/<name>.ts and only wires
 * arguments to core/ and adapters/.
 */
const program = new Command('cutout')
  .description('Background removal for images and video, locally or against a cutout stack')
  .showHelpAfterError();

// Subcommands register themselves here, one line each.

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const e = toCutoutError(error);
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
}
