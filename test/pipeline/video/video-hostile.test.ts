import { execFile, execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { copyFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileInputArgs } from '../../../adapters/ffmpeg/ffmpeg-args.ts';
import { createVideoProcessor } from '../../../containers/worker/processors.ts';
import { parseVideoOptions } from '../../../core/params/convert-params.ts';
import { removeVideoBackground } from '../../../core/video/remove-video-background.ts';
import { ffmpegChildPids } from '../../support/child-processes.ts';
import { rejection } from '../../support/rejection.ts';
import { makeClip } from '../../support/video-fixtures.ts';
import { createVideoTestRig, type VideoTestRig } from '../../support/video-pipeline.ts';

/**
 * Inputs that try to make ffmpeg read more than the file: the container is sniffed from the
 * bytes and ffmpeg is held to that demuxer and to local files; error texts name the client's
 * file, never a scratch path.
 */

let rig: VideoTestRig;
let server: Server;
let requests = 0;

beforeAll(async () => {
  rig = await createVideoTestRig();
  await makeClip(rig.file('clip.mp4'));
  await makeClip(rig.file('clip.webm'), { audio: false });
  server = createServer((_req, res) => {
    requests++;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await rig?.dispose();
});

function convert(input: string, extra: object = {}) {
  return removeVideoBackground(
    {
      inputPath: rig.file(input),
      outputPath: rig.file(`out-${input.replaceAll('/', '-')}.mov`),
      options: parseVideoOptions({ video_format: 'mattekey', frame_limit: 3 }),
      ...extra,
    },
    { segmenter: rig.segmenter, codec: rig.codec },
  );
}

/**
 * A named pipe that records whether anything opened it for reading: our writer's open only
 * completes once a reader (ffmpeg) opens the other end.
 */
function watchedFifo(path: string): { opened: () => boolean; release(): Promise<void> } {
  execFileSync('mkfifo', [path]);
  let opened = false;
  const writer = open(path, 'w').then((handle) => {
    opened = true;
    return handle.close();
  });
  return {
    opened: () => opened,
    async release() {
      // Our own reader lets the pending writer's open finish, so no thread stays blocked.
      const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      await writer;
      closeSync(fd);
    },
  };
}

describe('hostile containers', () => {
  it('refuses an HLS playlist sent as video/mp4, opening none of the files or URLs it lists', async () => {
    const segment = watchedFifo(rig.file('segment.ts'));
    const { port } = server.address() as AddressInfo;
    await writeFile(
      rig.file('playlist.mp4'),
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:1',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXTINF:1.0,',
        rig.file('segment.ts'),
        '#EXTINF:1.0,',
        `http://127.0.0.1:${port}/segment.ts`,
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    const e = await rejection(convert('playlist.mp4'));
    const openedSegment = segment.opened();
    await segment.release();
    expect(e.code).toBe('UNSUPPORTED_MEDIA');
    expect(e.message).toBe(
      'playlist.mp4: is a playlist (HLS), not a video file; send the video itself',
    );
    expect(openedSegment).toBe(false);
    expect(requests).toBe(0);
    expect(ffmpegChildPids()).toEqual([]);
  });

  it('ffmpeg itself, given a playlist under the input arguments, opens nothing it lists', async () => {
    // Defence in depth: were the sniff fooled, the demuxer and protocol allow-lists still hold.
    const segment = watchedFifo(rig.file('segment2.ts'));
    const { port } = server.address() as AddressInfo;
    await writeFile(
      rig.file('playlist2.mp4'),
      `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n${rig.file('segment2.ts')}\n#EXTINF:1.0,\nhttp://127.0.0.1:${port}/a.ts\n#EXT-X-ENDLIST\n`,
    );
    const run = promisify(execFile);
    const result = await run(
      'ffmpeg',
      ['-v', 'error', ...fileInputArgs(rig.file('playlist2.mp4'), 'mov'), '-f', 'null', '-'],
      { timeout: 20_000 },
    ).then(
      () => 'opened',
      (error: { code?: unknown }) => error.code,
    );
    const openedSegment = segment.opened();
    await segment.release();
    expect(result).not.toBe('opened');
    expect(openedSegment).toBe(false);
    expect(requests).toBe(0);
  });

  it('refuses text that is no container, naming the accepted ones', async () => {
    await writeFile(rig.file('concat.mp4'), `ffconcat version 1.0\nfile ${rig.file('clip.mp4')}\n`);
    const e = await rejection(convert('concat.mp4'));
    expect(e.code).toBe('UNSUPPORTED_MEDIA');
    expect(e.message).toMatch(/^concat\.mp4: is not a video container cutout reads \(MP4\/MOV, /);
  });

  it('reads a file by its sniffed container, whatever its name says', async () => {
    await mkdir(rig.file('scratch'), { recursive: true });
    // process-file downloads to a name without extension; a WebM named .mp4 is still a WebM.
    await copyFile(rig.file('clip.webm'), rig.file('scratch/input'));
    await copyFile(rig.file('clip.webm'), rig.file('webm-named.mp4'));
    const info = await rig.codec.probe(rig.file('scratch/input'));
    expect(info.container).toBe('matroska');
    expect((await convert('scratch/input')).frames).toBe(3);
    expect((await convert('webm-named.mp4')).frames).toBe(3);
  });
});

describe('error texts carry no scratch paths', () => {
  it('an ffprobe failure names the client file, not the local path', async () => {
    const whole = await readFile(rig.file('clip.mp4'));
    await mkdir(rig.file('job-0001'), { recursive: true });
    await writeFile(rig.file('job-0001/input'), whole.subarray(0, Math.floor(whole.length / 2)));
    const e = await rejection(convert('job-0001/input', { label: 'holiday.mp4' }));
    expect(e.code).toBe('DECODE_FAILED');
    expect(e.message).toMatch(/^holiday\.mp4: /);
    expect(e.message).not.toContain(rig.dir);
    expect(e.message).not.toContain('job-0001');
  });

  it('the worker video processor names the upload, never its work folder', async () => {
    const workDir = rig.file('job-0002');
    await mkdir(workDir, { recursive: true });
    await writeFile(`${workDir}/input`, 'not a video at all, just text');
    const processor = createVideoProcessor({ get: async () => rig.segmenter }, rig.codec);
    const e = await rejection(
      processor(`${workDir}/input`, parseVideoOptions({ video_format: 'mov' }), {
        fileName: 'party.mov',
        workDir,
        signal: new AbortController().signal,
        onProgress: () => undefined,
      }),
    );
    expect(e.code).toBe('UNSUPPORTED_MEDIA');
    expect(e.message).toMatch(/^party\.mov: /);
    expect(e.message).not.toContain(workDir);
    expect(e.message).not.toMatch(/\binput\b/);
  });
});
