import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { locateFfmpeg } from '../../adapters/ffmpeg/ffmpeg-binaries.ts';

/** One frame with its ground truth, as bench:image reads an image pair. */
export interface FramePair {
  readonly name: string;
  readonly image: string;
  readonly alpha: string;
}

/** Every this-many-th frame of a clip is held out: fixed once, before any figure was seen. */
export const HELD_OUT_STEP = 5;

/**
 * The held-out set of bench:image: frames of the data folder's ground-truth clips
 * (`videos/<clip>.mp4` with `videos/<clip>_alpha/NNNNN.png`), every HELD_OUT_STEP-th frame
 * (0, 5, 10, ...), minus any frame that is also one of the `images/` (named `<clip>_NNNNN`).
 * The frames are decoded with ffmpeg into `scratch` (frame N of the decode = NNNNN.png of the
 * ground truth, as the data folder's SOURCES.md says).
 */
export async function heldOutFrames(
  data: string,
  scratch: string,
  seen: ReadonlySet<string>,
): Promise<FramePair[]> {
  const videos = join(data, 'videos');
  const entries = await readdir(videos).catch(() => [] as string[]);
  const clips = entries
    .filter((n) => n.endsWith('_alpha'))
    .map((n) => n.slice(0, -'_alpha'.length))
    .filter((clip) => entries.includes(`${clip}.mp4`))
    .sort();
  const { ffmpeg } = locateFfmpeg(process.env);
  const pairs: FramePair[] = [];
  for (const clip of clips) {
    const truths = (await readdir(join(videos, `${clip}_alpha`)))
      .filter((n) => /^\d+\.png$/.test(n))
      .sort();
    const picked = truths.filter((n) => {
      const stem = basename(n, extname(n));
      return Number(stem) % HELD_OUT_STEP === 0 && !seen.has(`${clip}_${stem}`);
    });
    if (picked.length === 0) continue;
    const out = join(scratch, clip);
    await mkdir(out, { recursive: true });
    await promisify(execFile)(ffmpeg, [
      '-loglevel',
      'error',
      '-i',
      join(videos, `${clip}.mp4`),
      '-vsync',
      '0',
      '-start_number',
      '0',
      join(out, '%05d.png'),
    ]);
    for (const n of picked) {
      const stem = basename(n, extname(n));
      pairs.push({
        name: `${clip}_${stem}`,
        image: join(out, n),
        alpha: join(videos, `${clip}_alpha`, n),
      });
    }
  }
  return pairs;
}
