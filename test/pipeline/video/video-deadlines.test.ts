import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutoutError } from '../../../core/errors.ts';
import { parseVideoOptions } from '../../../core/params/convert-params.ts';
import { removeVideoBackground } from '../../../core/video/remove-video-background.ts';
import { DEFAULT_VIDEO_LIMITS, type VideoLimits } from '../../../core/video/video-limits.ts';
import { ffmpegChildPids, isAlive } from '../../support/child-processes.ts';
import { rejection } from '../../support/rejection.ts';
import { makeClip } from '../../support/video-fixtures.ts';
import { createVideoTestRig, type VideoTestRig } from '../../support/video-pipeline.ts';

/**
 * The file's deadline below the processor: an abort mid-video kills every ffmpeg child, leaves
 * no partial output, and rejects with DEADLINE_EXCEEDED; the video's own deadline comes from its
 * probed duration.
 */

let rig: VideoTestRig;

beforeAll(async () => {
  rig = await createVideoTestRig();
  await makeClip(rig.file('long.mp4'), { seconds: 4 });
});

afterAll(async () => {
  await rig?.dispose();
});

async function leftovers(): Promise<string[]> {
  return (await readdir(rig.dir)).filter((f) => f.startsWith('out') || f.endsWith('.partial'));
}

describe('deadline below the video processor', () => {
  it('an abort mid-video kills the ffmpeg processes it started, removes the partial output and rejects with DEADLINE_EXCEEDED', async () => {
    const controller = new AbortController();
    let running: number[] = [];
    const run = removeVideoBackground(
      {
        inputPath: rig.file('long.mp4'),
        outputPath: rig.file('out-abort.mov'),
        options: parseVideoOptions({ video_format: 'mov' }),
        signal: controller.signal,
        onProgress: (done) => {
          if (done === 3) {
            running = ffmpegChildPids();
            // A plain abort, as AbortSignal.timeout gives: no CutoutError of its own.
            controller.abort();
          }
        },
      },
      { segmenter: rig.segmenter, codec: rig.codec },
    );
    const error = await rejection(run);
    expect(error.code).toBe('DEADLINE_EXCEEDED');
    expect(error.message).toContain('long.mp4');
    // Decoder and encoder were running when the deadline came, and neither is left.
    expect(running).toHaveLength(2);
    expect(running.filter(isAlive)).toEqual([]);
    expect(ffmpegChildPids()).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it("the video's own deadline, from its probed duration, stops an inference that never returns", async () => {
    const limits: VideoLimits = {
      ...DEFAULT_VIDEO_LIMITS,
      deadlineFloorSeconds: 0.5,
      deadlineSecondsPerSecond: 0,
    };
    let running: number[] = [];
    const run = removeVideoBackground(
      {
        inputPath: rig.file('long.mp4'),
        outputPath: rig.file('out-own.mov'),
        options: parseVideoOptions({ video_format: 'mov' }),
        limits,
        // The caller's deadline is far away: only the video's own one can end this.
        signal: new AbortController().signal,
      },
      {
        segmenter: rig.segmenter,
        codec: {
          probe: rig.codec.probe,
          readImage: rig.codec.readImage,
          start(request) {
            const pass = rig.codec.start(request);
            running = ffmpegChildPids();
            return pass;
          },
        },
        segment: () => new Promise(() => undefined),
      },
    );
    const error = await rejection(run);
    expect(error.code).toBe('DEADLINE_EXCEEDED');
    expect(error.message).toMatch(
      /^long\.mp4: did not finish within 0\.5 s \(0\.5 s \+ 0 s per second/,
    );
    expect(running).toHaveLength(2);
    expect(running.filter(isAlive)).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it('a signal already aborted rejects with its own CutoutError before any ffprobe starts', async () => {
    const controller = new AbortController();
    const reason = new CutoutError('DEADLINE_EXCEEDED', 'long.mp4: the image deadline');
    controller.abort(reason);
    const run = removeVideoBackground(
      {
        inputPath: rig.file('long.mp4'),
        outputPath: rig.file('out-probe.mov'),
        options: parseVideoOptions({ video_format: 'mov' }),
        signal: controller.signal,
      },
      { segmenter: rig.segmenter, codec: rig.codec },
    );
    await expect(run).rejects.toBe(reason);
    expect(ffmpegChildPids()).toEqual([]);
  });
});
