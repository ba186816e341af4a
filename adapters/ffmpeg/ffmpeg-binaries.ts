import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { CutoutError } from '../../core/errors.ts';

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

/** Environment variables that point at the binaries, overriding PATH. */
export const FFMPEG_ENV = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' } as const;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: Record<string, string | undefined>): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function locate(
  name: 'ffmpeg' | 'ffprobe',
  env: Record<string, string | undefined>,
  sibling: string | undefined,
): string {
  const variable = FFMPEG_ENV[name];
  const configured = env[variable];
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw new CutoutError(
      'PROCESSING_FAILED',
      `${variable}=${configured} is not an executable file`,
    );
  }
  // ffprobe usually sits next to an ffmpeg given by FFMPEG_PATH.
  if (sibling) {
    const next = path.join(path.dirname(sibling), name);
    if (isExecutable(next)) return next;
  }
  const found = findOnPath(name, env);
  if (found) return found;
  throw new CutoutError(
    'PROCESSING_FAILED',
    `${name} not found: install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or set ${variable}`,
  );
}

/**
 * Finds ffmpeg and ffprobe: FFMPEG_PATH / FFPROBE_PATH first, then next to FFMPEG_PATH, then PATH.
 * @throws CutoutError PROCESSING_FAILED saying how to install them
 */
export function locateFfmpeg(env: Record<string, string | undefined>): FfmpegBinaries {
  const ffmpeg = locate('ffmpeg', env, undefined);
  const ffprobe = locate('ffprobe', env, env[FFMPEG_ENV.ffmpeg] ? ffmpeg : undefined);
  return { ffmpeg, ffprobe };
}
