import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The first video stream of a file, as ffprobe sees it. */
export async function probe(
  file: string,
): Promise<{ width: number; height: number; pixFmt: string; codec: string }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,pix_fmt,codec_name',
    '-of',
    'json',
    file,
  ]);
  const stream = (JSON.parse(stdout) as { streams: Record<string, unknown>[] }).streams[0] ?? {};
  return {
    width: Number(stream.width),
    height: Number(stream.height),
    pixFmt: String(stream.pix_fmt),
    codec: String(stream.codec_name),
  };
}
