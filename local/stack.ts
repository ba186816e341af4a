// First, before the emulators load node:sqlite: keeps Node's experimental notice off the console.
import '../bin/node-warnings.js';
import { Command, InvalidArgumentError } from 'commander';
import { locateFfmpeg } from '../adapters/ffmpeg/ffmpeg-binaries.ts';
import { modelSettingsFromEnv } from '../adapters/models/model-env.ts';
import { createLog } from '../adapters/observability/log.ts';
import { describeBytes, MAX_INLINE_BODY_BYTES } from '../core/config/inline-limit.ts';
import { toCutoutError } from '../core/errors.ts';
import {
  DEFAULT_DISK_BUDGET,
  DISK_BUDGET_ENV,
  describeSize,
  parseDiskBudget,
} from './disk-budget.ts';
import { FRONT_DOOR_ENV, type FrontDoor, parseFrontDoor } from './front-door.ts';
import { startLocalStack } from './local-stack.ts';
import { applyModelDefaults, namingReadyModels } from './model-defaults.ts';

/**
 * `npm start`: the whole cutout service on this machine (emulated S3, SQS and DynamoDB, the
 * API, workers, the web page), with a development API key.
 */

const FRONT_DOOR_BANNER: Readonly<Record<FrontDoor, string>> = {
  streaming: `streaming (files of any size up to the caps; ${FRONT_DOOR_ENV}=lambda emulates API Gateway + Lambda)`,
  lambda: `lambda (API Gateway + Lambda's limits: a body of at most ${describeBytes(MAX_INLINE_BODY_BYTES)}; ${FRONT_DOOR_ENV}=streaming lifts them)`,
};

function integer(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

const program = new Command('npm start')
  .description('Run cutout locally: the /v1 API, workers and the web page on http://localhost:PORT')
  .option(
    '-p, --port <port>',
    'HTTP port (env PORT)',
    integer(0, 65_535),
    Number(process.env.PORT || 3000),
  )
  .option('--host <address>', 'interface to listen on', '127.0.0.1')
  .option('-w, --workers <n>', 'in-process workers', integer(1, 16), 1)
  .option(
    '-d, --data-dir <dir>',
    'keep emulator state (jobs, files, keys) here between runs; default: a temporary folder',
  )
  .option('--warmup-model <id>', 'model to load and run once at start', 'u2net')
  .option('--no-video', 'image jobs only (no ffmpeg needed)')
  .option(
    '--front-door <door>',
    `streaming (any file size; the default) or lambda (API Gateway + Lambda's limits) (env ${FRONT_DOOR_ENV})`,
  )
  .option(
    '--disk-budget <size>',
    `most disk the data folder may use, e.g. 5GB or 500MB; 0: none (env ${DISK_BUDGET_ENV}, default ${DEFAULT_DISK_BUDGET})`,
  )
  .option('-v, --verbose', 'log every request and worker event')
  .showHelpAfterError();

interface Flags {
  port: number;
  host: string;
  workers: number;
  dataDir?: string;
  warmupModel: string;
  video: boolean;
  frontDoor?: string;
  diskBudget?: string;
  verbose?: boolean;
}

async function main(): Promise<void> {
  program.parse(process.argv);
  const flags = program.opts<Flags>();
  const env = process.env;
  // The flag wins over the variable; either is checked here, before anything starts.
  const frontDoor = parseFrontDoor({
    ...env,
    ...(flags.frontDoor === undefined ? {} : { [FRONT_DOOR_ENV]: flags.frontDoor }),
  });
  const diskBudgetBytes = parseDiskBudget({
    ...env,
    ...(flags.diskBudget === undefined ? {} : { [DISK_BUDGET_ENV]: flags.diskBudget }),
  });
  const { settings, notice } = await applyModelDefaults(modelSettingsFromEnv(env), env);
  if (notice) process.stdout.write(`${notice}\n`);

  let video = flags.video;
  if (video) {
    try {
      locateFfmpeg(env);
    } catch (error) {
      process.stdout.write(`video: off (${toCutoutError(error).message})\n`);
      video = false;
    }
  }

  const write = (line: string) => process.stdout.write(`${line}\n`);
  const stack = await startLocalStack({
    port: flags.port,
    host: flags.host,
    workers: flags.workers,
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(env.CUTOUT_API_KEY ? { apiKey: env.CUTOUT_API_KEY } : {}),
    models: settings,
    warmupModel: flags.warmupModel,
    video,
    env,
    frontDoor,
    diskBudgetBytes,
    publish: true,
    // Quiet still shows errors (a 5xx's cause, a failed upload event); --verbose shows all.
    log: createLog({ service: 'cutout-local', write, level: flags.verbose ? 'debug' : 'error' }),
    ...(flags.verbose ? { requestLog: write } : {}),
  });

  write('');
  write(`cutout is running on ${stack.url}`);
  write(`  web page      ${stack.url}/`);
  write(`  API key       ${stack.apiKey}`);
  write(`  front door    ${FRONT_DOOR_BANNER[stack.frontDoor]}`);
  write(`  workers       ${flags.workers} (${video ? 'images and video' : 'images only'})`);
  write(
    `  data          ${stack.dataDir}${flags.dataDir ? '' : ' (temporary; --data-dir keeps it)'}`,
  );
  write(
    `  disk budget   ${diskBudgetBytes > 0 ? describeSize(diskBudgetBytes) : 'none'} (--disk-budget; jobs expire after their TTL)`,
  );
  write('');
  write(`  curl -F "convert_to=image-backgroundremover" -F "files=@image.jpeg" \\`);
  write(`       -H "Authorization: ${stack.apiKey}" ${stack.url}/v1/convert/`);
  write('');
  write('Ctrl+C stops it.');

  let stopping = false;
  const shutdown = () => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    write('stopping (Ctrl+C again to quit at once)…');
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`cutout: stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** A model that failed to load is told with the models that would load instead. */
async function explained(error: unknown): Promise<unknown> {
  try {
    return await namingReadyModels(error, modelSettingsFromEnv(process.env));
  } catch {
    return error;
  }
}

main().catch(async (error: unknown) => {
  const e = toCutoutError(await explained(error));
  process.stderr.write(`cutout: ${e.code}: ${e.message}\n`);
  if (e.code === 'MODEL_UNAVAILABLE' || e.code === 'MODEL_NOT_FOUND') {
    process.stderr.write(
      'cutout: set CUTOUT_MODEL_ALIASES (e.g. u2net=isnet-imgly) or run `npx cutout models pull u2net`\n',
    );
  }
  process.exit(1);
});
