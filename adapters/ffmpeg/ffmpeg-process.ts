import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { scrubPaths } from '../../core/video/scrub-paths.ts';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines ffmpeg wrote to stderr (its errors), trimmed. */
  readonly stderr: string;
  /** Set when the process could not be started at all. */
  readonly spawnError: Error | undefined;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Resolves once the process has exited and its pipes are closed (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** SIGKILL, then wait for the exit so no zombie is left behind. */
  kill(): Promise<ProcessExit>;
  readonly killed: () => boolean;
}

const STDERR_KEEP = 8 * 1024;

/**
 * Starts a child with its stderr captured (the tail is kept for error messages) and killed
 * when `signal` aborts.
 */
export function startProcess(
  binary: string,
  args: readonly string[],
  options: {
    /** A readable stream here is another child's output pipe, handed over as this one's stdin. */
    stdin: 'pipe' | 'ignore' | Readable;
    stdout: 'pipe' | 'ignore';
    /** Further pipes on fds 3, 4, ... (ffmpeg's `pipe:3`, `pipe:4`). */
    extraPipes?: number | undefined;
    signal?: AbortSignal | undefined;
  },
): RunningProcess {
  const extra = Array.from({ length: options.extraPipes ?? 0 }, () => 'pipe' as const);
  const child = spawn(binary, args, {
    stdio: [options.stdin, options.stdout, 'pipe', ...extra],
    windowsHide: true,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  // A child that exits early makes writes to its pipes fail with EPIPE; the exit status says why.
  for (const pipe of child.stdio) {
    if (pipe && pipe !== child.stderr) pipe.on('error', () => undefined);
  }
  let killedByUs = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
      if (child.pid === undefined) resolve({ code: null, signal: null, stderr, spawnError });
    });
    child.once('close', (code, sig) =>
      resolve({ code, signal: sig, stderr: stderr.trim(), spawnError }),
    );
  });
  const kill = async (): Promise<ProcessExit> => {
    if (child.exitCode === null && child.signalCode === null) {
      killedByUs = true;
      child.kill('SIGKILL');
    }
    // 'close' waits for stdout to end, and a paused stdout with unread frames never ends.
    for (const pipe of child.stdio) {
      if (pipe && pipe !== child.stderr) pipe.destroy();
    }
    return exited;
  };
  if (options.signal) {
    const onAbort = () => void kill();
    if (options.signal.aborted) onAbort();
    else {
      options.signal.addEventListener('abort', onAbort, { once: true });
      void exited.then(() => options.signal?.removeEventListener('abort', onAbort));
    }
  }
  return { child, exited, kill, killed: () => killedByUs };
}

/** The child's pipe on `fd` (3 and up), for writing. */
export function writablePipe(run: RunningProcess, fd: number): Writable {
  const pipe = run.child.stdio[fd];
  if (!pipe || !('write' in pipe)) throw new Error(`ffmpeg has no pipe on fd ${fd}`);
  return pipe as Writable;
}

/**
 * The most useful line of ffmpeg's stderr, the last non-empty one, with the scratch paths in it
 * replaced by the labels in `labels` (path -> the client's name) or their last segment: the
 * line ends up in error texts that clients read.
 */
export function lastErrorLine(stderr: string, labels?: ReadonlyMap<string, string>): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return scrubPaths(lines.at(-1) ?? 'no error output', labels);
}
