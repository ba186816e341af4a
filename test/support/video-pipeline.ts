import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFfmpegCodec } from '../../adapters/ffmpeg/ffmpeg-codec.ts';
import {
  createSegmenterProvider,
  type OnnxSegmenterProvider,
} from '../../adapters/onnx/segmenter-provider.ts';
import type { Segmenter } from '../../core/ports.ts';
import type { VideoCodec } from '../../core/video/video-codec.ts';
import { tinyModelPath, tinyModelSettings } from './tiny-model.ts';

export interface VideoTestRig {
  readonly dir: string;
  readonly codec: VideoCodec;
  readonly segmenter: Segmenter;
  file(name: string): string;
  dispose(): Promise<void>;
}

/** A temp folder, the real ffmpeg codec and the tiny ONNX model ("red dominates" = foreground). */
export async function createVideoTestRig(): Promise<VideoTestRig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cutout-video-'));
  await tinyModelPath();
  const provider: OnnxSegmenterProvider = createSegmenterProvider(tinyModelSettings());
  const segmenter = await provider.get('u2net');
  return {
    dir,
    codec: createFfmpegCodec(),
    segmenter,
    file: (name) => path.join(dir, name),
    async dispose() {
      await provider.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Byte offset of pixel (x, y) in frame `index` of raw frames with `channels` per pixel. */
export function pixelAt(
  frames: Uint8Array,
  size: { width: number; height: number },
  channels: number,
  index: number,
  x: number,
  y: number,
): number[] {
  const offset = (index * size.width * size.height + y * size.width + x) * channels;
  return [...frames.subarray(offset, offset + channels)];
}
