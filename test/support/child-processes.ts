import { execFileSync } from 'node:child_process';

/** Pids of this test process's ffmpeg/ffprobe children (zombies included: they count as left behind). */
export function ffmpegChildPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /ff(mpeg|probe)/.test(l))
    .map((l) => Number(l.split(/\s+/)[0]));
}

/** Whether a process with this pid still exists (a zombie does). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
