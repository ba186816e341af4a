import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_MODEL_DIR } from './tiny-model.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'cutout.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Variables added to (or, when undefined, removed from) the run's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Node options before bin/cutout.js (a test preload, say). */
  readonly nodeArgs?: readonly string[];
}

/**
 * Runs `cutout ...` as a user would from a clone: node bin/cutout.js, with the test model cache
 * and no downloads. Its stderr is a pipe, not a terminal, so no progress bar is drawn. The
 * NODE_OPTIONS that `npm test` runs under (scripts/env.sh) are left out: a user's shell has
 * none, so what the command prints is its own doing.
 */
export function runCutout(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CUTOUT_MODEL_DIR: TEST_MODEL_DIR,
    CUTOUT_MODEL_DOWNLOAD: 'false',
  };
  delete env.NODE_OPTIONS;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      cwd: REPO,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
