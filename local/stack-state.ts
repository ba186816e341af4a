import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * Where a running local stack can be found by other processes (`cutout keys create`): a
 * `stack.json` in its data dir, and a pointer to the most recently started stack in the user's
 * cache folder. Both name the process, so a stale file (a stack that died) is recognised.
 */

const stateSchema = z.object({
  pid: z.number().int(),
  url: z.string(),
  dataDir: z.string(),
  region: z.string(),
  endpoints: z.object({ s3: z.string(), sqs: z.string(), dynamodb: z.string() }),
  keysTable: z.string(),
  jobsTable: z.string(),
});

export type StackState = z.infer<typeof stateSchema>;

const STATE_FILE = 'stack.json';

export function currentStackPointer(env: Record<string, string | undefined>): string {
  const base = env.XDG_CACHE_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.cache');
  return join(base, 'cutout', 'local-stack.json');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readState(path: string): Promise<StackState | undefined> {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success && isAlive(parsed.data.pid) ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeStackState(
  state: StackState,
  env: Record<string, string | undefined>,
  publish: boolean,
): Promise<void> {
  const text = `${JSON.stringify(state, null, 2)}\n`;
  await writeFile(join(state.dataDir, STATE_FILE), text);
  if (!publish) return;
  const pointer = currentStackPointer(env);
  await mkdir(dirname(pointer), { recursive: true });
  await writeFile(pointer, text);
}

export async function clearStackState(
  state: Pick<StackState, 'dataDir' | 'pid'>,
  env: Record<string, string | undefined>,
  publish: boolean,
): Promise<void> {
  await rm(join(state.dataDir, STATE_FILE), { force: true });
  if (!publish) return;
  const pointer = currentStackPointer(env);
  const current = await readState(pointer);
  if (!current || current.pid === state.pid) await rm(pointer, { force: true });
}

/** The running stack using `dataDir`, or the most recently started one when no dir is given. */
export async function findRunningStack(
  dataDir: string | undefined,
  env: Record<string, string | undefined>,
): Promise<StackState | undefined> {
  return readState(dataDir ? join(dataDir, STATE_FILE) : currentStackPointer(env));
}
